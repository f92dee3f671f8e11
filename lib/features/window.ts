import { MjolnirError } from '../core/index.js';

/**
 * The last `size` values with their running sum and sum of squares, O(1) per push and allocation-free.
 * Running sums drift as values come and go, so they are recomputed from the buffer once per `size`
 * pushes (amortised O(1)); the recomputation is part of the state, so restored copies stay identical.
 */
export class RollingWindow {
  readonly size: number;
  private readonly buffer: Float64Array;
  private head = 0;
  private sinceRecompute = 0;
  count = 0;
  sum = 0;
  sumOfSquares = 0;

  constructor(size: number) {
    this.size = size;
    this.buffer = new Float64Array(size);
  }

  /** True once `size` values have been pushed. */
  get full(): boolean {
    return this.count >= this.size;
  }

  push(x: number): void {
    if (this.count >= this.size) {
      const old = this.buffer[this.head]!;
      this.sum -= old;
      this.sumOfSquares -= old * old;
    }
    this.buffer[this.head] = x;
    this.sum += x;
    this.sumOfSquares += x * x;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    this.count++;
    if (++this.sinceRecompute === this.size) this.recompute();
  }

  /** The value pushed `lag` pushes ago (0 = the newest). */
  back(lag: number): number {
    const index = (this.head - 1 - lag + 2 * this.size) % this.size;
    return this.buffer[index]!;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const filled = Math.min(this.count, this.size);
    let sum = 0;
    let squares = 0;
    for (let lag = filled - 1; lag >= 0; lag--) {
      const value = this.back(lag);
      sum += value;
      squares += value * value;
    }
    this.sum = sum;
    this.sumOfSquares = squares;
  }

  snapshot(): Record<string, unknown> {
    return {
      size: this.size,
      buffer: Array.from(this.buffer),
      head: this.head,
      sinceRecompute: this.sinceRecompute,
      count: this.count,
      sum: this.sum,
      sumOfSquares: this.sumOfSquares,
    };
  }

  restore(snapshot: Record<string, unknown>): void {
    const buffer = snapshot['buffer'];
    if (snapshot['size'] !== this.size || !Array.isArray(buffer) || buffer.length !== this.size) {
      throw new MjolnirError(
        'state_incompatible',
        `rolling window snapshot does not fit a window of ${this.size}`,
      );
    }
    this.buffer.set(buffer as number[]);
    this.head = snapshot['head'] as number;
    this.sinceRecompute = snapshot['sinceRecompute'] as number;
    this.count = snapshot['count'] as number;
    this.sum = snapshot['sum'] as number;
    this.sumOfSquares = snapshot['sumOfSquares'] as number;
  }
}
