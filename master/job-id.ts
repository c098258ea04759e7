import { randomBytes } from 'node:crypto';

/**
 * Job ids read well in a terminal and sort by submission time:
 * `wordcount-20261126-000102-7-a1b2`. The `seq` part (this master's submission count) makes
 * ids unique by construction however many jobs of one name arrive in a second; the random
 * part keeps ids of a restarted master (whose count starts again) from matching old ones.
 */
export function newJobId(name: string, seq: number, now = new Date()): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'job';
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${safe}-${t}-${seq}-${randomBytes(2).toString('hex')}`;
}
