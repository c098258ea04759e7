import { defineJob } from 'groove-mr';

/**
 * Distributed grep: the lines that match the regular expression in param `pattern`,
 * keyed by [input name, line], with how many times that line occurs in that input.
 *
 *     mr run jobs/grep.ts --input logs/ --param pattern='ERROR|FATAL'
 */
let compiled: { source: string; re: RegExp } | undefined;

function patternOf(params: Readonly<Record<string, string>>): RegExp {
  const source = params['pattern'];
  if (source === undefined || source === '') throw new Error('grep needs --param pattern=REGEX');
  if (compiled?.source !== source) compiled = { source, re: new RegExp(source) };
  return compiled.re;
}

export default defineJob<[string, string], number>({
  name: 'grep',
  map(line, emit, ctx) {
    if (patternOf(ctx.params).test(line)) emit([ctx.input, line], 1);
  },
  combine(key, counts, emit) {
    let n = 0;
    for (const c of counts) n += c;
    emit(key, n);
  },
  reduce(key, counts, emit) {
    let n = 0;
    for (const c of counts) n += c;
    emit(key, n);
  },
});
