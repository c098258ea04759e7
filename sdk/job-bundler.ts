import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { JobFileError } from '../common/index.js';
import { JOB_PACK_FORMAT, MAX_PACK_BYTES, encodeJobPack } from '../proto/formats/index.js';
import type { JobPack } from '../proto/formats/index.js';
import { loadJobCode } from '../worker/index.js';
import { explainBundleError, PACK_FILE_LOADERS, packTooLargeMessage } from './pack-file-loaders.js';
import type { AnyJobDefinition } from '../common/index.js';

/** A bundled, checked job, ready to submit. */
export interface PackedJob {
  readonly bytes: Buffer;
  readonly pack: JobPack;
  /** The job as loaded locally to check it (name, partitions, functions, stages). */
  readonly job: AnyJobDefinition;
}

/** Root of the Groove installation: the job API here is what `groove-mr` means inside a pack. */
const GROOVE_ROOT = path.resolve(__dirname, '..', '..');
/** The module name job code imports the job API by (the package's name). */
const GROOVE_MODULE = 'groove-mr';
const API_DIRS = [path.join(GROOVE_ROOT, 'sdk'), path.join(GROOVE_ROOT, 'common')];

/**
 * Keeps Groove itself out of packs: `import ... from 'groove-mr'` (or from 'groove', the
 * package's name before it moved to the free npm name), and inside this repo a relative
 * import of sdk/ or common/, all become `require('groove-mr')`, which the pool process
 * answers with the job API. So a pack never drags the client, gRPC or the CLI in.
 */
const grooveExternal: esbuild.Plugin = {
  name: 'groove-external',
  setup(build) {
    build.onResolve({ filter: /^groove(-mr)?(\/.*)?$/ }, () => ({ path: GROOVE_MODULE, external: true }));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      return API_DIRS.some((dir) => target === dir || target.startsWith(dir + path.sep))
        ? { path: GROOVE_MODULE, external: true }
        : undefined;
    });
  },
};

/** The inline source map esbuild appends to the bundle. */
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * The bundle with its source map's file names as the user knows them: esbuild writes them
 * relative to the working directory, which is right for files under it
 * (`jobs/wordcount.ts`) but gives `../../home/me/job.ts` for others; those become
 * absolute. Stack traces of the job's errors then name these files (worker/job-source-map.ts).
 */
function withUserSourcePaths(code: string): string {
  const m = INLINE_MAP.exec(code);
  if (!m) return code;
  const map = JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8')) as { sources?: string[] };
  map.sources = (map.sources ?? []).map((s) => (s.startsWith('..') ? path.resolve(s) : s));
  return `${code.slice(0, m.index)}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/**
 * Bundles a TypeScript (or JavaScript) job file into a pack and loads it once locally, so
 * a job that does not compile or defines no map is refused before anything is submitted.
 * Data files the job imports (`import stop from './stop.txt'`) are bundled into the pack
 * (pack-file-loaders.ts); a pack over the master's limit is refused here, naming its
 * largest files.
 */
export async function packJobFile(file: string): Promise<PackedJob> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new JobFileError(file, 'job file not found');
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      sourcemap: 'inline',
      sourcesContent: false,
      loader: PACK_FILE_LOADERS,
      metafile: true,
      plugins: [grooveExternal],
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    const first = failure.errors?.[0];
    const where = first?.location ? `${first.location.line}:${first.location.column}: ` : '';
    const text = first ? explainBundleError(first.text) : String(err);
    throw new JobFileError(file, `does not compile: ${where}${text}`, { cause: err });
  }
  const code = withUserSourcePaths(result.outputFiles[0]?.text ?? '');
  const job = loadJobCode(code, path.basename(file));
  const name = typeof job.name === 'string' && job.name ? job.name : path.basename(file).replace(/\.[^.]*$/, '');
  const pack: JobPack = { format: JOB_PACK_FORMAT, name, source: path.basename(file), code };
  const bytes = encodeJobPack(pack);
  if (bytes.length > MAX_PACK_BYTES)
    throw new JobFileError(file, packTooLargeMessage(bytes.length, MAX_PACK_BYTES, result.metafile));
  return { bytes, pack, job };
}
