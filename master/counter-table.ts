/**
 * A job's counters: the totals, and what each task's committed attempt added to them, so
 * a task run again (its output lost) can first take its share back out. The shares are
 * kept as one column per counter name over the job's task slots, made when the name
 * first gets a non-zero value: a million tasks reporting five counters cost 40 MB, not a
 * typed array (and its header) per task.
 */
export class CounterTable {
  /** The totals by name, in first-seen order. */
  readonly totals: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly names: string[] = [];
  private readonly columns: Float64Array[] = [];
  private readonly columnOf = new Map<string, number>();

  /** `slots`: how many tasks (map and reduce) the job has. */
  constructor(readonly slots: number) {}

  /** Adds task `slot`'s counters to the totals, replacing what it added before. */
  commit(slot: number, counters: Readonly<Record<string, number>>): void {
    this.uncommit(slot);
    for (const name of Object.keys(counters)) {
      const value = counters[name] as number;
      this.totals[name] = (this.totals[name] ?? 0) + value;
      if (value === 0) continue;
      let c = this.columnOf.get(name);
      if (c === undefined) {
        c = this.columns.length;
        this.columns.push(new Float64Array(this.slots));
        this.names.push(name);
        this.columnOf.set(name, c);
      }
      (this.columns[c] as Float64Array)[slot] = value;
    }
  }

  /** Takes task `slot`'s counters back out of the totals (nothing if it has none). */
  uncommit(slot: number): void {
    if (!(slot >= 0 && slot < this.slots)) throw new RangeError(`no task slot ${slot} of ${this.slots}`);
    this.columns.forEach((column, c) => {
      const value = column[slot] as number;
      if (value === 0) return;
      column[slot] = 0;
      const name = this.names[c] as string;
      this.totals[name] = (this.totals[name] ?? 0) - value;
    });
  }

  /** What task `slot` added to counter `name` (0 if nothing). */
  share(slot: number, name: string): number {
    const c = this.columnOf.get(name);
    return c === undefined ? 0 : ((this.columns[c] as Float64Array)[slot] ?? 0);
  }
}
