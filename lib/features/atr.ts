import {
  checkPeriod,
  checkSnapshot,
  type Indicator,
  type IndicatorSnapshot,
  snapshotNumber,
} from './indicator.js';

/**
 * Average True Range with Wilder smoothing, TA-Lib convention: true range needs the previous close,
 * the first ATR is the mean of the first `period` true ranges (after `period + 1` bars), then
 * `atr = (atr * (period - 1) + tr) / period`.
 */
export class Atr implements Indicator {
  readonly period: number;
  count = 0;
  value = Number.NaN;
  /** The latest true range (NaN on the first bar). */
  trueRange = Number.NaN;
  private previousClose = Number.NaN;
  private seedSum = 0;

  constructor(period: number) {
    this.period = checkPeriod('ATR', period);
  }

  get ready(): boolean {
    return this.count > this.period;
  }

  update(high: number, low: number, close: number): number {
    // Hot path first and small, so callers can inline it; the warmup branch runs `period + 1` times.
    if (this.count <= this.period) return this.warmUp(high, low, close);
    this.count++;
    const range = this.range(high, low);
    this.previousClose = close;
    this.value = (this.value * (this.period - 1) + range) / this.period;
    return this.value;
  }

  /** True range against the previous close (TA-Lib TRANGE). */
  private range(high: number, low: number): number {
    let range = high - low;
    const upGap = Math.abs(this.previousClose - high);
    const downGap = Math.abs(this.previousClose - low);
    if (upGap > range) range = upGap;
    if (downGap > range) range = downGap;
    this.trueRange = range;
    return range;
  }

  private warmUp(high: number, low: number, close: number): number {
    this.count++;
    if (this.count === 1) {
      this.previousClose = close;
      return this.value;
    }
    const range = this.range(high, low);
    this.previousClose = close;
    this.seedSum += range;
    if (this.count === this.period + 1) this.value = this.seedSum / this.period;
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return {
      kind: 'atr',
      period: this.period,
      count: this.count,
      value: this.value,
      trueRange: this.trueRange,
      previousClose: this.previousClose,
      seedSum: this.seedSum,
    };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'atr', { period: this.period });
    this.count = snapshotNumber(snapshot, 'count');
    this.value = snapshotNumber(snapshot, 'value');
    this.trueRange = snapshotNumber(snapshot, 'trueRange');
    this.previousClose = snapshotNumber(snapshot, 'previousClose');
    this.seedSum = snapshotNumber(snapshot, 'seedSum');
  }
}
