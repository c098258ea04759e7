import { UserError } from '../../common/index.js';

/** Parses repeated `--param KEY=VALUE` options. */
export function parseParams(values: readonly string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UserError(`--param must be KEY=VALUE, got ${JSON.stringify(v)}`);
    params[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return params;
}
