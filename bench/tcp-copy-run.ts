import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { BENCH_DIST } from './paths.js';
import { runTimed } from './process-runner.js';
import * as fs from 'node:fs';

/** Copies `bytes` over loopback TCP between two fresh Node processes; resolves with MB/s. */
export async function tcpCopyMBps(bytes: number, scratch: string): Promise<number> {
  const script = path.join(BENCH_DIST, 'baselines', 'tcp-copy.js');
  const sender = spawn(process.execPath, [script, 'send', String(bytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      sender.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /port (\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      sender.on('exit', (code) => reject(new Error(`tcp-copy sender exited with ${String(code)}`)));
    });
    const out = path.join(scratch, 'tcp-copy.json');
    await runTimed(process.execPath, [script, 'receive', String(port), String(bytes)], { stdoutFile: out });
    const r = JSON.parse(fs.readFileSync(out, 'utf8')) as { bytes: number; millis: number };
    return r.bytes / 1e6 / (r.millis / 1000);
  } finally {
    sender.kill();
  }
}
