import {
  checkPeriod,
  checkSnapshot,
  type Indicator,
  type IndicatorSnapshot,
  snapshotNumber,
} from './indicator.js';

/**
 * Relative Strength Index with Wilder smoothing, TA-Lib convention: the first value comes after
 * `period + 1` inputs (averages seeded with the plain mean of the first `period` changes), then
 * `avg = (avg * (period - 1) + change) / period`. Where TA-Lib returns 0 for a perfectly flat
 * window (no gains, no losses) we return the neutral 50, so a flat market never reads "oversold".
 */
export class Rsi implements Indicator {
  readonly period: number;
  count = 0;
  value = Number.NaN;
  private previous = Number.NaN;
  private averageGain = 0;
  private averageLoss = 0;

  constructor(period: number) {
    this.period = checkPeriod('RSI', period);
  }

  get ready(): boolean {
    return this.count > this.period;
  }

  update(x: number): number {
    this.count++;
    if (this.count === 1) {
      this.previous = x;
      return this.value;
    }
    const change = x - this.previous;
    this.previous = x;
    if (this.count <= this.period + 1) {
      if (change < 0) this.averageLoss -= change;
      else this.averageGain += change;
      if (this.count === this.period + 1) {
        this.averageLoss /= this.period;
        this.averageGain /= this.period;
        this.value = this.strength();
      }
      return this.value;
    }
    this.averageLoss *= this.period - 1;
    this.averageGain *= this.period - 1;
    if (change < 0) this.averageLoss -= change;
    else this.averageGain += change;
    this.averageLoss /= this.period;
    this.averageGain /= this.period;
    this.value = this.strength();
    return this.value;
  }

  private strength(): number {
    const total = this.averageGain + this.averageLoss;
    return total === 0 ? 50 : 100 * (this.averageGain / total);
  }

  snapshot(): IndicatorSnapshot {
    return {
      kind: 'rsi',
      period: this.period,
      count: this.count,
      value: this.value,
      previous: this.previous,
      averageGain: this.averageGain,
      averageLoss: this.averageLoss,
    };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'rsi', { period: this.period });
    this.count = snapshotNumber(snapshot, 'count');
    this.value = snapshotNumber(snapshot, 'value');
    this.previous = snapshotNumber(snapshot, 'previous');
    this.averageGain = snapshotNumber(snapshot, 'averageGain');
    this.averageLoss = snapshotNumber(snapshot, 'averageLoss');
  }
}
