/** What every workload gets from the harness. */
export interface BenchContext {
  /** Small data and one run, for CI. */
  readonly quick: boolean;
  /** Repetitions of each measurement. */
  readonly runs: number;
  /** Run Groove's processes under `--cpu-prof`, profiles into this directory. */
  readonly profileDir: string | undefined;
  /** A scratch directory for outputs, removed at the end. */
  readonly scratch: string;
  /** Progress lines on stderr. */
  log(message: string): void;
}

/** One timed or counted quantity, every run kept. */
export interface Measurement {
  readonly label: string;
  /** `s`, `tasks/s`, `MB/s`, ... */
  readonly unit: string;
  readonly values: number[];
  readonly median: number;
}

/** One target of the issue, checked against the medians. */
export interface TargetCheck {
  /** Which baseline (or quantity) the target is about. */
  readonly against: string;
  /** The measured ratio or value the target is stated in, e.g. 2.1 (x) or 1234 (tasks/s). */
  readonly value: number;
  /** How value is printed, e.g. `2.10x` or `1,234 tasks/s`. */
  readonly shown: string;
  /** The target as the issue states it, e.g. `>= 2x faster`. */
  readonly target: string;
  readonly met: boolean;
  /** What Groove measured for this target when it is not the workload's main figure (e.g. RSS). */
  readonly measured?: string;
}

/** Everything one workload measured. */
export interface WorkloadReport {
  readonly id: string;
  readonly title: string;
  readonly groove: Measurement;
  readonly baselines: Measurement[];
  readonly checks: TargetCheck[];
  /** Peak RSS of every pool process of every Groove run, bytes (empty when no pool ran). */
  readonly poolPeakRss: number[];
  /** How the figure was taken, what was verified, what the engine does not report. */
  readonly notes: string[];
  /** Extra figures (bytes shuffled, per-run details...). */
  readonly details: Record<string, unknown>;
  /** Phases worth a profile of their own (e.g. the shuffle fetch), wall clock. */
  readonly profileWindows?: readonly {
    readonly label: string;
    readonly fromEpochMs: number;
    readonly toEpochMs: number;
  }[];
}

/** A workload of the suite. */
export interface Workload {
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<WorkloadReport>;
}
