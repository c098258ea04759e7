import type { TaskUpdate__Output } from '../proto/wire/generated/groove/TaskUpdate';
import type { AttemptStats } from './job-event.js';

/** What the task-succeeded event tells of an attempt (zeros for a worker that sent no stats). */
export function attemptStats(stats: TaskUpdate__Output['stats']): AttemptStats {
  return {
    recordsIn: stats?.recordsIn ?? 0,
    recordsOut: stats?.recordsOut ?? 0,
    bytesIn: stats?.bytesIn ?? 0,
    bytesOut: stats?.bytesOut ?? 0,
    spills: stats?.spills ?? 0,
    millis: stats?.millis ?? 0,
  };
}

/** Groove's own counters, summed like user counters (as Hadoop's task counters are). */
export function builtinCounters(kind: 'map' | 'reduce', stats: TaskUpdate__Output['stats']): Record<string, number> {
  if (!stats) return {};
  if (kind === 'map') {
    return {
      'groove.map.input.records': stats.recordsIn,
      'groove.map.output.records': stats.recordsOut,
      'groove.map.input.bytes': stats.bytesIn,
      'groove.map.output.bytes': stats.bytesOut,
      'groove.map.spills': stats.spills,
    };
  }
  return {
    'groove.reduce.input.records': stats.recordsIn,
    'groove.reduce.output.records': stats.recordsOut,
    'groove.reduce.shuffle.bytes': stats.bytesIn,
    'groove.reduce.output.bytes': stats.bytesOut,
  };
}
