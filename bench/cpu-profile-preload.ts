/**
 * Preloaded with `node --require` (through NODE_OPTIONS, which Node does not let carry
 * --cpu-prof) into every Node process of a profiled Groove run, pool processes included:
 * starts V8's sampling profiler and writes `<role>-<pid>.cpuprofile` into
 * $GROOVE_BENCH_PROFILE_DIR when the process exits normally (SIGINT-stopped daemons and
 * shut-down pool processes do; SIGKILLed ones leave nothing).
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';

/** Sampling interval, µs: fine enough for hot loops, light enough not to distort them. */
const SAMPLING_INTERVAL_US = 500;

function role(): string {
  const argv = process.argv.slice(1).join(' ');
  if (argv.includes('pool-child.js')) return 'pool';
  const m = /mr\.js (\w+)/.exec(argv);
  if (m) return `mr-${m[1]}`;
  return path.basename(process.argv[1] ?? 'node').replace(/\.js$/, '');
}

const dir = process.env['GROOVE_BENCH_PROFILE_DIR'];
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  session.post('Profiler.start');
  process.on('exit', () => {
    // An in-process inspector session answers synchronously, so this completes before exit.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      // V8 stamps samples with the monotonic clock in µs (the clock of process.hrtime):
      // the anchor lets a reader cut the profile to a wall-clock window (a fetch phase).
      const anchor = { epochMs: Date.now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) };
      fs.writeFileSync(
        path.join(dir, `${role()}-${process.pid}.cpuprofile`),
        JSON.stringify({ ...result.profile, grooveBenchAnchor: anchor }),
      );
    });
  });
}
