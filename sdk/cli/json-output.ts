/**
 * The yargs option `--json` of the read commands: their answer as the SDK's types (camelCase
 * field names, e.g. `workerId`, the same objects `GrooveClient` returns), for scripts and jq.
 */
export const jsonOption = {
  describe: "print the answer as JSON (the SDK's field names) instead of a table",
  type: 'boolean',
  default: false,
} as const;

/** One JSON document, indented for people (jq reads it as well). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** One JSON document on one line: for streams of them (`mr events --json`), one per line. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
