import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import { UserError } from '../common/index.js';
import { isResultUri, parseResultUri } from '../proto/formats/index.js';
import { isUrl, storageFor } from '../storage/index.js';

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Makes the inputs of a submission absolute, expands globs the shell left alone (quoted
 * ones), and refuses a missing input before anything is sent. URLs (`file:`, or a scheme
 * of the storage seam) pass as they are, and so do an earlier job's results (`mr://JOB`,
 * checked for form here and resolved by the master). With `allowEmpty`, a glob
 * that matches no file stands for nothing instead (the master likewise accepts an empty
 * directory then).
 */
export function expandInputs(inputs: readonly string[], cwd = process.cwd(), allowEmpty = false): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (isResultUri(input)) {
      parseResultUri(input);
      out.push(input);
      continue;
    }
    if (isUrl(input)) {
      // A scheme no backend serves is refused here, by name, before anything is sent; the
      // rest of a URL is the master's to list (globs are for local paths).
      storageFor(input);
      out.push(input);
      continue;
    }
    const abs = path.resolve(cwd, input);
    if (fs.existsSync(abs)) {
      out.push(abs);
      continue;
    }
    if (GLOB_CHARS.test(input)) {
      const matches = globSync(input, { cwd, absolute: true, onlyFiles: true }).sort();
      if (!matches.length && !allowEmpty)
        throw new UserError(
          `input not found: no file matches ${input} (pass --allow-empty if an empty input is expected)`,
        );
      out.push(...matches);
      continue;
    }
    throw new UserError(`input not found: ${input}`);
  }
  if (!out.length && !(allowEmpty && inputs.length)) throw new UserError('no input given: use --input PATH');
  return out;
}
