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
  return `${terminalSafeJson(JSON.stringify(value, null, 2))}\n`;
}

/** One JSON document on one line: for streams of them (`mr events --json`), one per line. */
export function jsonLine(value: unknown): string {
  return `${terminalSafeJson(JSON.stringify(value))}\n`;
}

/**
 * JSON.stringify escapes C0 controls but leaves DEL and the C1 controls (U+0080-U+009F:
 * U+009B is a terminal's CSI) raw, and job names and errors are the user's text: written
 * as \u escapes, they read back the same and cannot drive a terminal. They can only be
 * inside strings, where an escape means the same character.
 */
function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
