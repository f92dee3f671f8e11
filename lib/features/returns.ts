import { checkSnapshot, type Indicator, type IndicatorSnapshot, snapshotNumber } from './indicator.js';

/** One-bar returns of a price: simple `(x - prev) / prev` (TA-Lib ROCP, period 1) and log `ln(x / prev)`. */
export class Returns implements Indicator {
  count = 0;
  /** The simple return; the primary value. */
  value = Number.NaN;
  logReturn = Number.NaN;
  private previous = Number.NaN;

  get ready(): boolean {
    return this.count > 1;
  }

  update(x: number): number {
    this.count++;
    if (this.count > 1) {
      this.value = (x - this.previous) / this.previous;
      this.logReturn = Math.log(x / this.previous);
    }
    this.previous = x;
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return {
      kind: 'returns',
      count: this.count,
      value: this.value,
      logReturn: this.logReturn,
      previous: this.previous,
    };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'returns', {});
    this.count = snapshotNumber(snapshot, 'count');
    this.value = snapshotNumber(snapshot, 'value');
    this.logReturn = snapshotNumber(snapshot, 'logReturn');
    this.previous = snapshotNumber(snapshot, 'previous');
  }
}
