import { durationText, parseDuration } from '../../common/index.js';
import { DEFAULT_RECONNECT_TIMEOUT_MS } from '../reconnecting-watch.js';
import type { WatchOptions } from '../reconnecting-watch.js';

/** `--reconnect-timeout` of the commands that watch a job (`mr submit --wait`, `mr wait`, `mr events`). */
export const reconnectTimeoutOption = {
  describe:
    'how long to keep reconnecting to a master that became unreachable before giving up (e.g. 60s, 5m; 0s: give up at once)',
  type: 'string',
  default: durationText(DEFAULT_RECONNECT_TIMEOUT_MS),
  requiresArg: true,
} as const;

/**
 * The watch options of a command: its reconnect bound, and one line on stderr per outage
 * (not one per try) while it reconnects.
 */
export function watchOptionsOf(reconnectTimeout: string | undefined, stream = process.stderr): WatchOptions {
  return {
    reconnectTimeoutMs:
      reconnectTimeout === undefined ? undefined : parseDuration('reconnect-timeout', reconnectTimeout, 0),
    onReconnecting: (master) => stream.write(`master ${master} unreachable, reconnecting...\n`),
  };
}
