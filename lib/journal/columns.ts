/**
 * Growable columns for the read side, in fixed chunks: appending never copies what is there, so the
 * cost of taking in new rows follows the new rows, not the size of the journal (a dashboard on a
 * year of 1m decisions appends a few rows a minute to half a million).
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** A column of doubles. */
export class NumberColumn {
  private readonly chunks: Float64Array[] = [];
  length = 0;

  push(value: number): void {
    const at = this.length & MASK;
    if (at === 0) this.chunks.push(new Float64Array(CHUNK));
    this.chunks[this.chunks.length - 1]![at] = value;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /** The last value, or NaN when empty. */
  last(): number {
    return this.length === 0 ? Number.NaN : this.get(this.length - 1);
  }

  /** Drops every value. */
  clear(): void {
    this.chunks.length = 0;
    this.length = 0;
  }

  /** The values as one array (a copy). */
  toArray(): Float64Array {
    const out = new Float64Array(this.length);
    this.chunks.forEach((chunk, c) => {
      out.set(chunk.subarray(0, Math.min(CHUNK, this.length - c * CHUNK)), c * CHUNK);
    });
    return out;
  }
}

/** A column of small codes (an enum's index, a dictionary's index). */
export class CodeColumn {
  private readonly chunks: Uint16Array[] = [];
  length = 0;

  push(code: number): void {
    const at = this.length & MASK;
    if (at === 0) this.chunks.push(new Uint16Array(CHUNK));
    this.chunks[this.chunks.length - 1]![at] = code;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  clear(): void {
    this.chunks.length = 0;
    this.length = 0;
  }
}

/** Strings that repeat (exchange, symbol, strategy, spec): each distinct one kept once. */
export class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [];

  code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      if (code > 0xffff) throw new RangeError('more than 65,536 distinct values in one column');
      this.codes.set(value, code);
      this.values.push(value);
    }
    return code;
  }
}
