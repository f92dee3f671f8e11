import { checkPeriod, checkSnapshot, type Indicator, type IndicatorSnapshot } from './indicator.js';
import { RollingWindow } from './window.js';

/**
 * Rolling population standard deviation over `period` values (TA-Lib STDDEV with nbDev = 1).
 * Unlike TA-Lib, a variance in (0, 1e-8) is kept rather than zeroed, so low-priced assets work.
 */
export class RollingStd implements Indicator {
  readonly period: number;
  private readonly window: RollingWindow;
  value = Number.NaN;
  /** The window mean, defined when `ready`. */
  mean = Number.NaN;

  constructor(period: number) {
    this.period = checkPeriod('rolling std', period);
    this.window = new RollingWindow(period);
  }

  get ready(): boolean {
    return this.window.full;
  }

  get count(): number {
    return this.window.count;
  }

  update(x: number): number {
    this.window.push(x);
    if (this.window.full) {
      this.mean = this.window.sum / this.period;
      const variance = this.window.sumOfSquares / this.period - this.mean * this.mean;
      this.value = variance > 0 ? Math.sqrt(variance) : 0;
    }
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return {
      kind: 'rolling_std',
      period: this.period,
      value: this.value,
      mean: this.mean,
      window: this.window.snapshot(),
    };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'rolling_std', { period: this.period });
    this.window.restore(snapshot['window'] as Record<string, unknown>);
    this.value = snapshot['value'] as number;
    this.mean = snapshot['mean'] as number;
  }
}
