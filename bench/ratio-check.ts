import type { Measurement, TargetCheck } from './workload.js';

/** "Groove at least `factor` times faster than `baseline`" on median wall times. */
export function fasterThan(groove: Measurement, baseline: Measurement, factor: number): TargetCheck {
  const ratio = baseline.median / groove.median;
  const shown = ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`;
  return { against: baseline.label, value: ratio, shown, target: `>= ${factor}x faster`, met: ratio >= factor };
}

/** "Groove's time at most `factor` times the baseline's". */
export function noSlowerThan(groove: Measurement, baseline: Measurement, factor: number): TargetCheck {
  const ratio = groove.median / baseline.median;
  return {
    against: baseline.label,
    value: ratio,
    shown: `${ratio.toFixed(2)}x its time`,
    target: `<= ${factor}x its time`,
    met: ratio <= factor,
  };
}

/** A rate or size against a floor or a ceiling. */
export function bound(
  against: string,
  value: number,
  shown: string,
  kind: '>=' | '<',
  limit: number,
  limitShown: string,
): TargetCheck {
  return {
    against,
    value,
    shown,
    target: `${kind} ${limitShown}`,
    met: kind === '>=' ? value >= limit : value < limit,
  };
}
