import * as path from 'node:path';

/** The repository root (this file runs from dist/bench/). */
export const ROOT = path.resolve(__dirname, '..', '..');
/** The `mr` executable, run the way a user runs it. */
export const MR = path.join(ROOT, 'bin', 'mr.js');
/** Generated inputs, reused across runs (gitignored). */
export const DATA_DIR = path.join(ROOT, 'bench', 'data');
/** Where each run's figures go as JSON. */
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
/** Compiled bench scripts (child processes of the harness are started from here). */
export const BENCH_DIST = path.join(ROOT, 'dist', 'bench');
/** Python and shell baselines, run from their sources. */
export const BASELINES_DIR = path.join(ROOT, 'bench', 'baselines');
