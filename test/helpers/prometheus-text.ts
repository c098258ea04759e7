/** One sample of the Prometheus text format: a metric name, its labels and its value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The samples of a Prometheus text exposition (format 0.0.4), for tests that read
 * /metrics as a scraper would. Comment lines (HELP, TYPE) are skipped; a line that is
 * neither a comment nor a sample is an error, so a malformed exposition fails the test.
 */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL))
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const raw = m[3] as string;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad sample value in ${JSON.stringify(line)}`);
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/**
 * The sum of the samples named `name` whose labels include `labels`; throws when there is
 * none, so a metric that went missing fails the test rather than reading as 0.
 */
export function metricValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (!matching.length) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return matching.reduce((n, s) => n + s.value, 0);
}
