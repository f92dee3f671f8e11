import { MjolnirError } from '../core/index.js';
import { checkSnapshot, type Indicator, type IndicatorSnapshot } from './indicator.js';
import { RollingStd } from './rolling-std.js';

/** Bollinger Bands (TA-Lib BBANDS with an SMA middle and population deviation): middle ± width·σ. */
export class Bollinger implements Indicator {
  readonly period: number;
  readonly width: number;
  private readonly deviation: RollingStd;
  /** The middle band (SMA); the primary value. */
  value = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;

  constructor(period = 20, width = 2) {
    if (!(width > 0) || !Number.isFinite(width)) {
      throw new MjolnirError('input_invalid', `Bollinger width must be a positive number, got ${width}`);
    }
    this.deviation = new RollingStd(period);
    this.period = period;
    this.width = width;
  }

  get ready(): boolean {
    return this.deviation.ready;
  }

  get count(): number {
    return this.deviation.count;
  }

  /** Where the last input sits in the band: 0 at the lower band, 1 at the upper (NaN on a zero-width band). */
  percentB(x: number): number {
    const span = this.upper - this.lower;
    return span > 0 ? (x - this.lower) / span : Number.NaN;
  }

  update(x: number): number {
    const sigma = this.deviation.update(x);
    if (this.deviation.ready) {
      this.value = this.deviation.mean;
      this.upper = this.value + this.width * sigma;
      this.lower = this.value - this.width * sigma;
    }
    return this.value;
  }

  snapshot(): IndicatorSnapshot {
    return {
      kind: 'bollinger',
      period: this.period,
      width: this.width,
      value: this.value,
      upper: this.upper,
      lower: this.lower,
      deviation: this.deviation.snapshot(),
    };
  }

  restore(snapshot: IndicatorSnapshot): void {
    checkSnapshot(snapshot, 'bollinger', { period: this.period, width: this.width });
    this.deviation.restore(snapshot['deviation'] as IndicatorSnapshot);
    this.value = snapshot['value'] as number;
    this.upper = snapshot['upper'] as number;
    this.lower = snapshot['lower'] as number;
  }
}
