import { SourceMap } from 'node:module';
import type { SourceMapPayload } from 'node:module';

/** The inline source map esbuild appends to a bundle (`sourcemap: 'inline'`). */
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** A stack frame's location: `(file:line:column)` or ` at file:line:column`. */
const FRAME = /(\(|\bat )([^()\s]+):(\d+):(\d+)(\)?)$/;

/**
 * The source map of a job's bundle, applied to stack traces of the job's errors. Node
 * applies source maps to the files it loads itself (`--enable-source-maps`), not to code
 * run through `vm`, as job code is; so frames in the bundle (`source:line:column`) are
 * mapped here, to the user's own files and lines.
 */
export class JobSourceMap {
  private constructor(
    private readonly map: SourceMap,
    private readonly file: string,
  ) {}

  /** The map of `code` (a bundle run under the file name `file`), or undefined if it has none. */
  static ofBundle(code: string, file: string): JobSourceMap | undefined {
    const m = INLINE_MAP.exec(code.slice(-Math.min(code.length, 4 * 1024 * 1024)));
    if (!m) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8')) as SourceMapPayload;
      return new JobSourceMap(new SourceMap(payload), file);
    } catch {
      return undefined; // a broken map only costs the mapping
    }
  }

  /** `stack` with every frame in the bundle replaced by the user's file, line and column. */
  mapStack(stack: string): string {
    return stack
      .split('\n')
      .map((line) => {
        const frame = this.mapFrame(line);
        return frame ? line.replace(FRAME, `$1${frame.file}:${frame.line}:${frame.column}$5`) : line;
      })
      .join('\n');
  }

  /**
   * The first frame of `stack` in the job's own code (not a bundled dependency), as
   * `file:line`, for the one-line error: where the user should look.
   */
  firstUserFrame(stack: string): string | undefined {
    for (const line of stack.split('\n')) {
      const frame = this.mapFrame(line);
      if (frame && !/(^|[\\/])node_modules[\\/]/.test(frame.file)) return `${frame.file}:${frame.line}`;
    }
    return undefined;
  }

  private mapFrame(line: string): { file: string; line: number; column: number } | undefined {
    const m = FRAME.exec(line);
    if (!m || m[2] !== this.file) return undefined;
    // Stack positions are 1-based, the map's 0-based.
    const entry = this.map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    return { file: entry.originalSource, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
}
