import * as fs from 'node:fs';
import * as path from 'node:path';
import { BENCH_DIST } from './paths.js';
import type { BenchContext } from './workload.js';

/**
 * Environment that makes every Node process of a Groove run (the `mr` process or daemon
 * and the pool processes it forks, which inherit the environment) write a V8 CPU profile
 * on exit, through bench/cpu-profile-preload.ts. Undefined when profiling is off.
 */
export function profileEnv(ctx: BenchContext, workload: string): NodeJS.ProcessEnv | undefined {
  if (!ctx.profileDir) return undefined;
  const dir = path.join(ctx.profileDir, workload);
  fs.mkdirSync(dir, { recursive: true });
  const preload = path.join(BENCH_DIST, 'cpu-profile-preload.js');
  return {
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${preload}`.trim(),
    GROOVE_BENCH_PROFILE_DIR: dir,
  };
}
