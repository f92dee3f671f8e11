import { checkPeriod, checkSnapshot, type Indicator, type IndicatorSnapshot } from './indicator.js';
import { RollingWindow } from './window.js';

/** Simple moving average over `period` values (TA-Lib SMA: first value after `period` inputs). */
export class Sma implements Indicator {
  readonly period: number;
  private readonly window: RollingWindow;
  value = Number.NaN;

  constructor(period: number) {
    this.period = checkPeriod('SMA', period);
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
    if (this.window.full) this.value = this.window.sum / this.period;
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return { kind: 'sma', period: this.period, value: this.value, window: this.window.snapshot() };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'sma', { period: this.period });
    this.window.restore(snapshot['window'] as Record<string, unknown>);
    this.value = snapshot['value'] as number;
  }
}
