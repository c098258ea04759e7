import { flagHelp } from '../../common/index.js';
import type { OptionSpec } from '../../common/index.js';

/**
 * The yargs option of a numeric option from a component's table: its help and its default
 * in the flag's unit come from the table, and it is read as text, so that the table's check
 * (optionFromFlag) sees what the user typed (`--partitions abc`, not NaN) and names it.
 */
export function tableFlag(spec: OptionSpec): {
  readonly describe: string;
  readonly requiresArg: true;
  readonly defaultDescription?: string;
} {
  const { describe, defaultDescription } = flagHelp(spec);
  // No yargs type: a typed one would turn `abc` into NaN before the check could quote it.
  return defaultDescription === undefined
    ? { describe, requiresArg: true }
    : { describe, requiresArg: true, defaultDescription };
}

/** A table flag's value as yargs hands it over (the text typed, a number read from it, or an array when repeated); optionFromFlag checks it. */
export type FlagValue = unknown;
