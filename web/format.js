// Formatting helpers for the web UI: numbers, bytes, durations, times. They return strings,
// which preact renders as text.

/** 1234567 -> "1,234,567". */
export function count(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

/** Bytes as "12.3 MB". */
export function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n ?? 0);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Milliseconds as "850 ms", "12.4 s", "3 min 20 s", "2 h 5 min". */
export function duration(ms) {
  const v = Math.max(0, Number(ms ?? 0));
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 3_600_000) return `${Math.floor(v / 60_000)} min ${Math.round((v % 60_000) / 1000)} s`;
  return `${Math.floor(v / 3_600_000)} h ${Math.round((v % 3_600_000) / 60_000)} min`;
}

/** An epoch-ms time as "14:03:07" (local time), "" for 0. */
export function clock(ms) {
  return ms ? new Date(ms).toLocaleTimeString('en-GB') : '';
}

/** How long ago an epoch-ms time was: "3 s ago". */
export function ago(ms, now = Date.now()) {
  return ms ? `${duration(now - ms)} ago` : 'never';
}

/** A job's duration so far (or in all, once finished). */
export function jobDuration(job, now = Date.now()) {
  return duration((job.finishedAt || now) - job.submittedAt);
}

/** What a job is doing: its map phase, its reduce phase, its output commit, or its end state. */
export function phase(job) {
  if (job.state !== 'running') return job.state;
  if (job.mapsDone < job.mapsTotal) return 'map';
  if (job.reducesDone < job.reducesTotal) return 'reduce';
  return 'commit';
}

/** Who submitted a job: "host (address)". */
export function submitter(job) {
  if (job.submitHost && job.submitAddress) return `${job.submitHost} (${job.submitAddress})`;
  return job.submitHost || job.submitAddress || '';
}
