import { MjolnirError } from '../core/index.js';
import { Ema } from './ema.js';
import { checkPeriod, checkSnapshot, type Indicator, type IndicatorSnapshot } from './indicator.js';

/**
 * MACD line (fast EMA - slow EMA), its signal EMA and the histogram, TA-Lib convention: the fast EMA
 * is seeded over the `fast` inputs that end where the slow EMA's seed ends, so both start on the same
 * bar; the signal EMA is seeded with the mean of the first `signal` MACD values.
 */
export class Macd implements Indicator {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalLine: Ema;
  count = 0;
  /** The MACD line, defined once the slow EMA is (before the signal; see `value`). */
  line = Number.NaN;
  /** The MACD line once all three outputs are defined (TA-Lib emits nothing earlier). */
  value = Number.NaN;
  /** The signal line, defined when `ready`. */
  signal = Number.NaN;
  /** MACD - signal, defined when `ready`. */
  histogram = Number.NaN;

  constructor(fast = 12, slow = 26, signal = 9) {
    this.fastPeriod = checkPeriod('MACD fast', fast, 2);
    this.slowPeriod = checkPeriod('MACD slow', slow, 2);
    this.signalPeriod = checkPeriod('MACD signal', signal);
    if (fast >= slow)
      throw new MjolnirError('input_invalid', `MACD fast period (${fast}) must be < slow (${slow})`);
    this.fast = new Ema(fast);
    this.slow = new Ema(slow);
    this.signalLine = new Ema(signal);
  }

  get ready(): boolean {
    return this.signalLine.ready;
  }

  update(x: number): number {
    this.count++;
    this.slow.update(x);
    if (this.count > this.slowPeriod - this.fastPeriod) this.fast.update(x);
    if (this.slow.ready) {
      this.line = this.fast.value - this.slow.value;
      this.signal = this.signalLine.update(this.line);
      if (this.signalLine.ready) {
        this.value = this.line;
        this.histogram = this.line - this.signal;
      }
    }
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return {
      kind: 'macd',
      fastPeriod: this.fastPeriod,
      slowPeriod: this.slowPeriod,
      signalPeriod: this.signalPeriod,
      count: this.count,
      line: this.line,
      value: this.value,
      signal: this.signal,
      histogram: this.histogram,
      fast: this.fast.snapshot(),
      slow: this.slow.snapshot(),
      signalLine: this.signalLine.snapshot(),
    };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'macd', {
      fastPeriod: this.fastPeriod,
      slowPeriod: this.slowPeriod,
      signalPeriod: this.signalPeriod,
    });
    this.fast.restore(snapshot['fast'] as IndicatorSnapshot);
    this.slow.restore(snapshot['slow'] as IndicatorSnapshot);
    this.signalLine.restore(snapshot['signalLine'] as IndicatorSnapshot);
    this.count = snapshot['count'] as number;
    this.line = snapshot['line'] as number;
    this.value = snapshot['value'] as number;
    this.signal = snapshot['signal'] as number;
    this.histogram = snapshot['histogram'] as number;
  }
}
