import { Console } from 'node:console';
import { isBuiltin } from 'node:module';
import * as vm from 'node:vm';
import { checkJobDefinition, defineJob, JobFileError, stages } from '../common/index.js';
import type { AnyJobDefinition, JobDefinition, Key } from '../common/index.js';
import { JobSourceMap } from './job-source-map.js';

/** A job definition (of one stage) with its types erased, as the runtime sees it. */
export type AnyJob = JobDefinition<Key, unknown, Key, unknown, unknown>;

/**
 * The only non-built-in modules a pack may require: the job API, provided by Groove itself,
 * by the package's name, and by its old name for packs bundled before the rename.
 */
const GROOVE_MODULES: ReadonlySet<string> = new Set(['groove-mr', 'groove']);
/** What `require('groove-mr')` gives job code: the job API and nothing else. */
const GROOVE_API = Object.freeze({ defineJob, stages });

/** The console job code gets unless told otherwise: everything to stderr, where stdout carries results. */
let stderrConsole: Console | undefined;

/**
 * Runs a pack's bundled CommonJS code and returns its job definition. The bundle was
 * built with `groove-mr` and node built-ins external, so those are the only modules it can
 * require; anything else means the bundling went wrong and is refused by name.
 *
 * `console` is what the name `console` means inside the job code (a parameter of the
 * module wrapper, as `require` is): a pool process passes one that sends each line to its
 * daemon's log, tagged with job and task; the default writes every method to stderr. So
 * job output never lands on a stdout that carries results.
 */
export function loadJobCode(code: string, source: string, console?: Console): AnyJobDefinition {
  const jobConsole = console ?? (stderrConsole ??= new Console({ stdout: process.stderr, stderr: process.stderr }));
  const wrapper = vm.runInThisContext(
    `(function (exports, require, module, __filename, __dirname, console) {${code}\n})`,
    {
      filename: source,
    },
  ) as (
    exports: unknown,
    require: (id: string) => unknown,
    module: { exports: unknown },
    filename: string,
    dirname: string,
    console: Console,
  ) => void;
  const mod: { exports: unknown } = { exports: {} };
  const requireForJob = (id: string): unknown => {
    if (GROOVE_MODULES.has(id)) return GROOVE_API;
    // Node's own modules are the only ones a bundled job still requires at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (isBuiltin(id)) return require(id);
    throw new Error(`a job pack cannot require '${id}': it should have been bundled`);
  };
  try {
    wrapper(mod.exports, requireForJob, mod, source, '.', jobConsole);
  } catch (err) {
    // The user's line that threw at load time (a top-level statement), not the bundle's.
    const at =
      err instanceof Error && err.stack ? JobSourceMap.ofBundle(code, source)?.firstUserFrame(err.stack) : undefined;
    const message = `failed to load: ${err instanceof Error ? err.message : String(err)}${at ? ` (at ${at})` : ''}`;
    throw new JobFileError(source, message, { cause: err });
  }
  const exported = mod.exports as { default?: unknown } | null;
  const candidate = exported && typeof exported === 'object' && 'default' in exported ? exported.default : exported;
  const shape = candidate as { map?: unknown; stages?: unknown } | null;
  if (!shape || typeof shape !== 'object' || (typeof shape.map !== 'function' && shape.stages === undefined)) {
    throw new JobFileError(source, 'has no map function: export default defineJob({ map(record, emit) { ... } })');
  }
  try {
    return checkJobDefinition(candidate as AnyJobDefinition);
  } catch (err) {
    throw new JobFileError(source, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
