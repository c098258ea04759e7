import { median } from './stats.js';
import type { Measurement } from './workload.js';

/** Builds a measurement from its runs. */
export function measurement(label: string, unit: string, values: number[]): Measurement {
  return { label, unit, values, median: median(values) };
}

/** A duration in seconds, for the table. */
export function seconds(ms: number): number {
  return ms / 1000;
}

/** `1.23 s`, `1,234 tasks/s`, ... with sensible precision. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

/** Decimal megabytes, as throughput is usually quoted. */
export function megabytes(bytes: number): number {
  return bytes / 1e6;
}
