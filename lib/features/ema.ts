import {
  checkPeriod,
  checkSnapshot,
  type Indicator,
  type IndicatorSnapshot,
  snapshotNumber,
} from './indicator.js';

/**
 * Exponential moving average, TA-Lib convention: k = 2 / (period + 1), seeded with the SMA of the
 * first `period` values, then `(x - prev) * k + prev` (the same operation order as TA-Lib).
 */
export class Ema implements Indicator {
  readonly period: number;
  private readonly k: number;
  private seedSum = 0;
  count = 0;
  value = Number.NaN;

  constructor(period: number) {
    this.period = checkPeriod('EMA', period);
    this.k = 2 / (period + 1);
  }

  get ready(): boolean {
    return this.count >= this.period;
  }

  update(x: number): number {
    // Hot path first and small, so callers can inline it; the seeding branch runs `period` times.
    if (this.count >= this.period) {
      this.count++;
      this.value = (x - this.value) * this.k + this.value;
      return this.value;
    }
    return this.seed(x);
  }

  private seed(x: number): number {
    this.count++;
    this.seedSum += x;
    if (this.count === this.period) this.value = this.seedSum / this.period;
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return { kind: 'ema', period: this.period, count: this.count, seedSum: this.seedSum, value: this.value };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'ema', { period: this.period });
    this.count = snapshotNumber(snapshot, 'count');
    this.seedSum = snapshotNumber(snapshot, 'seedSum');
    this.value = snapshotNumber(snapshot, 'value');
  }
}
