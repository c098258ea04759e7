/** Zipf ranks drawn by inverse CDF over a lookup table, for any exponent. */
export class ZipfRanks {
  private readonly cdf: Float64Array;
  private readonly table: Uint32Array;

  /** `tableBits`: resolution of the lookup table that narrows each draw to a few ranks (speed only). */
  constructor(size: number, exponent: number, tableBits = 16) {
    this.cdf = new Float64Array(size);
    let total = 0;
    for (let r = 0; r < size; r++) this.cdf[r] = total += 1 / Math.pow(r + 1, exponent);
    for (let r = 0; r < size; r++) this.cdf[r] = (this.cdf[r] as number) / total;
    const n = 1 << tableBits;
    this.table = new Uint32Array(n + 1);
    let r = 0;
    for (let i = 0; i <= n; i++) {
      while (r < size - 1 && (this.cdf[r] as number) < i / n) r++;
      this.table[i] = r;
    }
  }

  /** The rank for the uniform number u in [0, 1). */
  rank(u: number): number {
    const i = Math.floor(u * (this.table.length - 1));
    let lo = this.table[i] as number;
    let hi = this.table[i + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
