/**
 * The edit distance (Levenshtein: insertions, deletions and substitutions of one
 * character each) between two short strings, such as option names. Two rows of the table,
 * so an option name costs a few dozen numbers.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/**
 * The name of `known` closest to `name` (case ignored), or undefined when none is close
 * enough to be what was meant: at most a third of the longer name's characters differ
 * (at least one may), so `reducer` finds `reduce` and `partiton` finds `partitions`, but
 * `foo` finds nothing rather than a guess.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(1, Math.floor(Math.max(name.length, best.length) / 3)) ? best : undefined;
}
