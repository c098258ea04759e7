import { isBuiltin } from 'node:module';
import * as vm from 'node:vm';
import { defineJob, JobFileError } from '../common/index.js';
import type { JobDefinition, Key } from '../common/index.js';

/** A job definition with its types erased, as the runtime sees it. */
export type AnyJob = JobDefinition<Key, unknown, Key, unknown>;

/**
 * The only non-built-in modules a pack may require: the job API, provided by Groove itself,
 * by the package's name, and by its old name for packs bundled before the rename.
 */
const GROOVE_MODULES: ReadonlySet<string> = new Set(['groove-mr', 'groove']);
/** What `require('groove-mr')` gives job code: the job API and nothing else. */
const GROOVE_API = Object.freeze({ defineJob });

/**
 * Runs a pack's bundled CommonJS code and returns its job definition. The bundle was
 * built with `groove-mr` and node built-ins external, so those are the only modules it can
 * require; anything else means the bundling went wrong and is refused by name.
 */
export function loadJobCode(code: string, source: string): AnyJob {
  const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: source,
  }) as (exports: unknown, require: (id: string) => unknown, module: { exports: unknown }, filename: string, dirname: string) => void;
  const mod: { exports: unknown } = { exports: {} };
  const requireForJob = (id: string): unknown => {
    if (GROOVE_MODULES.has(id)) return GROOVE_API;
    if (isBuiltin(id)) return require(id);
    throw new Error(`a job pack cannot require '${id}': it should have been bundled`);
  };
  try {
    wrapper(mod.exports, requireForJob, mod, source, '.');
  } catch (err) {
    throw new JobFileError(source, `failed to load: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const exported = mod.exports as { default?: unknown } | null;
  const candidate = exported && typeof exported === 'object' && 'default' in exported ? exported.default : exported;
  if (!candidate || typeof candidate !== 'object' || typeof (candidate as { map?: unknown }).map !== 'function') {
    throw new JobFileError(source, 'has no map function: export default defineJob({ map(record, emit) { ... } })');
  }
  try {
    return defineJob(candidate as AnyJob);
  } catch (err) {
    throw new JobFileError(source, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
