import { UserError } from './errors.js';

/** What an option's number counts, in its options field or on its flag. */
export type OptionUnit = 'ms' | 'seconds' | 'bytes' | 'MiB' | 'count' | 'port' | 'factor';

/**
 * One numeric option of a component, as its table lists it: the one place its default and
 * bounds are written. The options compiler checks code's values against it (errors name
 * the field), the CLI builds the flag and its help from it and checks what the user typed
 * (errors name the flag, in the flag's unit), and the options' doc comments point at it.
 */
export interface OptionSpec {
  /** The CLI flag, without dashes; none for an option only code can set. */
  readonly flag?: string;
  /** The unit of the options field (default and bounds are in it). */
  readonly unit: OptionUnit;
  /** The unit the flag takes, when it differs from the field's (`--worker-timeout` seconds for ms); `size`: text such as 64MiB. */
  readonly flagUnit?: OptionUnit | 'size';
  /** The default, in `unit`; none when computed (say, from the cores) or when unset means "off". */
  readonly default?: number;
  /** Says what the default is when it is not only a number (`cores`; `the job's, else {}`, {} the default in the flag's unit), for the help. */
  readonly defaultText?: string;
  readonly min: number;
  readonly max?: number;
  /** The field takes fractions (a factor); otherwise it must be an integer. */
  readonly fractional?: boolean;
  /** What the option does, for the help text. */
  readonly describe: string;
}

/** A component's options table: its specs by options field name. */
export type OptionTable<K extends string> = Readonly<Record<K, OptionSpec>>;

/** How many field units one flag unit is. */
const SCALE: Readonly<Record<string, number>> = { 'seconds>ms': 1000, 'MiB>bytes': 1024 * 1024, 'size>bytes': 1 };

function scaleOf(spec: OptionSpec): number {
  const from = spec.flagUnit ?? spec.unit;
  return from === spec.unit ? 1 : (SCALE[`${from}>${spec.unit}`] ?? 1);
}

const KIB = 1024;
/** Binary units of a size flag, by lowercase suffix (`64MiB`, `512k`, `1g`). */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  ...{ '': 1, b: 1, k: KIB, kb: KIB, kib: KIB, m: KIB ** 2, mb: KIB ** 2, mib: KIB ** 2 },
  ...{ g: KIB ** 3, gb: KIB ** 3, gib: KIB ** 3, t: KIB ** 4, tb: KIB ** 4, tib: KIB ** 4 },
};

/** A byte count as people write it: 4096 -> "4 KiB", 100 MiB -> "100 MiB"; undefined when not a round binary unit. */
function bytesText(bytes: number): string | undefined {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return undefined;
}

/** A bound in the unit `shown`, with its size in bytes added where that reads better. */
function boundText(spec: OptionSpec, value: number, scale: number, shown: OptionUnit | 'size'): string {
  if (shown === 'size') return bytesText(value) ?? `${value} bytes`;
  const number = String(value / scale);
  const bytes = spec.unit === 'bytes' ? bytesText(value) : undefined;
  return bytes !== undefined && bytes !== `${number} ${shown}` ? `${number} (${bytes})` : number;
}

/** "an integer of at least 1", "a number of seconds from 0 to 60"... in the unit `shown`. */
function requirement(
  spec: OptionSpec,
  scale: number,
  shown: OptionUnit | 'size',
  min: number,
  integer: boolean,
): string {
  const unit = shown === 'seconds' || shown === 'MiB' || shown === 'bytes' ? shown : undefined;
  const number =
    unit === undefined
      ? integer
        ? 'an integer'
        : 'a number'
      : `${integer ? 'an integer number' : 'a number'} of ${unit}`;
  const what = shown === 'size' ? 'a size' : number;
  const low = boundText(spec, min, scale, shown);
  const range =
    spec.max === undefined
      ? `${what} of at least ${low}`
      : `${what} from ${low} to ${boundText(spec, spec.max, scale, shown)}`;
  return shown === 'size' ? `${range} (such as 65536, 512KiB or 64MiB)` : range;
}

/**
 * Checks an options field set by code against its spec (undefined: the default) and
 * returns the value; the error names the field. `min` overrides the table's lower bound
 * where it depends on another option (the worker timeout on the heartbeat).
 */
export function checkOption(field: string, spec: OptionSpec, value: number | undefined, min = spec.min): number {
  const v = value ?? spec.default;
  if (v === undefined) throw new UserError(`${field} is required`);
  const integer = spec.fractional !== true;
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    (integer && !Number.isInteger(v)) ||
    v < min ||
    (spec.max !== undefined && v > spec.max)
  ) {
    throw new UserError(`${field} must be ${requirement(spec, 1, spec.unit, min, integer)}, got ${String(v)}`);
  }
  return v;
}

/** Like {@link checkOption}, for an option whose absence means "none" (undefined stays undefined). */
export function checkOptionalOption(field: string, spec: OptionSpec, value: number | undefined): number | undefined {
  return value === undefined ? undefined : checkOption(field, spec, value);
}

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/**
 * The field value of a flag as the user typed it (undefined: not given), checked against
 * the spec: the error names the flag and speaks in the flag's unit (`--worker-timeout must
 * be a number of seconds of at least 2, got 1`), quoting text that is not a number.
 */
export function optionFromFlag(spec: OptionSpec, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const raw = String(text);
  const shown = spec.flagUnit ?? spec.unit;
  const scale = scaleOf(spec);
  // A flag in a larger unit than its field may take fractions (0.5 seconds); one in the field's own unit may not.
  const integer = spec.fractional !== true && scale === 1;
  let value: number | undefined;
  if (shown === 'size') {
    const m = SIZE.exec(raw);
    const factor = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
    value = m && factor !== undefined ? Math.round(Number(m[1]) * factor) : undefined;
  } else if (NUMBER.test(raw)) {
    const n = Number(raw);
    value = integer && !Number.isInteger(n) ? undefined : Math.round(n * scale);
  }
  if (
    value === undefined ||
    !Number.isFinite(value) ||
    value < spec.min ||
    (spec.max !== undefined && value > spec.max)
  ) {
    const got = NUMBER.test(raw) ? raw.trim() : `'${raw}'`;
    throw new UserError(
      `--${spec.flag ?? '?'} must be ${requirement(spec, scale, shown, spec.min, integer)}, got ${got}`,
    );
  }
  return value;
}

/** The help of a flag: its description, and its default in the flag's unit. */
export function flagHelp(spec: OptionSpec): { describe: string; defaultDescription?: string } {
  const shown = spec.flagUnit ?? spec.unit;
  const unit = shown === 'seconds' || shown === 'MiB' || shown === 'ms' ? `, ${shown}` : '';
  const value =
    spec.default === undefined
      ? undefined
      : shown === 'size'
        ? (bytesText(spec.default) ?? String(spec.default))
        : String(spec.default / scaleOf(spec));
  const defaultDescription =
    spec.defaultText !== undefined && value !== undefined
      ? spec.defaultText.replace('{}', value)
      : (spec.defaultText ?? value);
  return { describe: `${spec.describe}${unit}`, defaultDescription };
}
