/** The directory an attempt owns on its worker (the worker's data layout). */
export function expectedAttemptDir(jobId: string, taskId: string, attempt: number): string {
  return `jobs/${jobId}/${taskId}-a${attempt}`;
}
