import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { GrooveError } from '../common/index.js';
import type { ResultFormat } from '../proto/formats/index.js';

/** A request to a converter thread: convert the part file `input` into `output`. */
export interface ConvertRequest {
  readonly input: string;
  readonly output: string;
  readonly format: ResultFormat;
}

/** A converter thread's answer to one request. */
export type ConvertReply =
  | { readonly records: number; readonly error?: undefined }
  /** `corrupt`: the part file failed its checksums (the error is then a {@link CorruptPartFileError}). */
  | { readonly error: string; readonly corrupt?: boolean; readonly records?: undefined };

/** A part file a converter thread found corrupt or short (checksums, end marker). */
export class CorruptPartFileError extends GrooveError {}

interface Job {
  readonly request: ConvertRequest;
  readonly resolve: (records: number) => void;
  readonly reject: (err: Error) => void;
}

/**
 * A few worker threads that convert local part files into result files (see
 * convertPartFile), so that converting several parts uses several cores: reading a part,
 * turning it into lines and writing them is CPU work the client would otherwise do on one
 * thread while the cluster's cores sit idle. Threads start at construction (loading
 * their code overlaps whatever the caller does next) and end with {@link close}.
 */
export class ResultConverterPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(path.join(__dirname, 'result-convert-thread.js'));
      worker.on('message', (reply: ConvertReply) => this.finished(worker, reply));
      worker.on('error', (err) => this.failed(worker, err));
      this.idle.push(worker);
    }
  }

  /** Converts one part file; resolves with its number of records. */
  convert(request: ConvertRequest): Promise<number> {
    if (this.closed) return Promise.reject(new Error('result converter pool is closed'));
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every thread; pending conversions fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('result converter pool is closed'));
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const [, job] of this.busy) job.reject(new Error('result converter pool is closed'));
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as Job;
      this.busy.set(worker, job);
      worker.postMessage(job.request);
    }
  }

  private finished(worker: Worker, reply: ConvertReply): void {
    const job = this.busy.get(worker);
    if (!job) return;
    this.busy.delete(worker);
    this.idle.push(worker);
    if (reply.error !== undefined)
      job.reject(reply.corrupt ? new CorruptPartFileError(reply.error) : new Error(reply.error));
    else job.resolve(reply.records);
    this.dispatch();
  }

  /** A thread that died takes its conversion with it, and is not replaced. */
  private failed(worker: Worker, err: Error): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    job?.reject(err);
    if (this.idle.length === 0 && this.busy.size === 0) for (const queued of this.queue.splice(0)) queued.reject(err);
  }
}
