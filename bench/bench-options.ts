/** Options of `npm run bench`. */
export interface BenchOptions {
  /** Small data, one run: the whole suite in under 2 minutes (CI). Default false. */
  readonly quick?: boolean;
  /** Repetitions of each measurement. Default 3, or 1 with quick. */
  readonly runs?: number;
  /** Workload ids to run; default all. */
  readonly only?: readonly string[];
  /** Run Groove's processes under --cpu-prof and summarise the profiles. Default false. */
  readonly profile?: boolean;
}

/** Options with defaults applied. */
export interface CompiledBenchOptions {
  readonly quick: boolean;
  readonly runs: number;
  readonly only: readonly string[] | undefined;
  readonly profile: boolean;
}

const USAGE = 'usage: npm run bench -- [--quick] [--runs N] [--only ID[,ID...]] [--profile]';

/** Parses the command line; errors name the option. */
export function parseBenchArgs(argv: readonly string[], workloadIds: readonly string[]): CompiledBenchOptions {
  const options: { quick?: boolean; runs?: number; only?: string[]; profile?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new RangeError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--only') options.only = value().split(',').filter(Boolean);
    else if (arg === '--help' || arg === '-h') throw new RangeError(USAGE);
    else throw new RangeError(`unknown option ${arg}\n${USAGE}`);
  }
  return compileBenchOptions(options, workloadIds);
}

/** Applies defaults in one place and checks values. */
export function compileBenchOptions(options: BenchOptions, workloadIds: readonly string[]): CompiledBenchOptions {
  const quick = options.quick ?? false;
  const runs = options.runs ?? (quick ? 1 : 3);
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError(`--runs must be a positive integer, got ${String(options.runs)}`);
  for (const id of options.only ?? []) {
    if (!workloadIds.includes(id))
      throw new RangeError(`--only: no workload ${JSON.stringify(id)}; there are ${workloadIds.join(', ')}`);
  }
  return { quick, runs, only: options.only?.length ? options.only : undefined, profile: options.profile ?? false };
}
