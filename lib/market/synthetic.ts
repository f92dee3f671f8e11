import type { Timeframe, TsMs } from '../time/index.js';
import type { MutableBar } from './bar.js';
import { Random } from './random.js';
import { allocateSeries, type BarSeries, storeBar } from './series.js';

/** Parameters of the synthetic market. Defaults resemble BTC: ~60% annual volatility, fat tails. */
export interface SyntheticOptions {
  readonly seed: number;
  readonly timeframe: Timeframe;
  /** Close time of the first bar. */
  readonly startTs: TsMs;
  readonly startPrice?: number;
  readonly annualVolatility?: number;
  /** Mean base volume per bar. */
  readonly baseVolume?: number;
  /** Price increment, as on an exchange (default 0.01); volumes carry 8 decimals. */
  readonly tickSize?: number;
  /**
   * Probability that a bar opens away from the previous close (a halt, a thin book): what makes
   * stop-through fills matter. Default 0, which draws nothing extra, so seeds give the same bars.
   */
  readonly gapProbability?: number;
}

interface Regime {
  readonly name: 'bull' | 'bear' | 'range';
  /** Drift per bar, in units of the bar's base volatility. */
  readonly drift: number;
  readonly volatilityScale: number;
  /** Mean bars spent in the regime before switching. */
  readonly meanDurationBars: number;
}

const REGIMES: readonly Regime[] = [
  { name: 'range', drift: 0, volatilityScale: 0.8, meanDurationBars: 600 },
  { name: 'bull', drift: 0.06, volatilityScale: 1.0, meanDurationBars: 400 },
  { name: 'bear', drift: -0.07, volatilityScale: 1.35, meanDurationBars: 300 },
];

// GARCH(1,1) on standardised returns: persistence alpha + beta < 1 keeps the long-run variance at 1.
const GARCH_ALPHA = 0.08;
const GARCH_BETA = 0.9;
const JUMP_PROBABILITY = 0.002;
const MINUTES_PER_YEAR = 525_600;

/**
 * A seeded regime-switching random walk with volatility clustering and volume that rises with
 * volatility and follows a UTC intraday cycle. The same seed and options give the same bars everywhere.
 */
export class SyntheticMarket {
  private readonly random: Random;
  private readonly timeframeMs: number;
  private readonly barVolatility: number;
  private readonly baseVolume: number;
  private readonly ticksPerUnit: number;
  private readonly gapProbability: number;
  private regime: Regime = REGIMES[0]!;
  private variance = 1;
  private lastShock = 0;
  private price: number;
  private ts: number;

  constructor(options: SyntheticOptions) {
    this.random = new Random(options.seed);
    this.timeframeMs = options.timeframe.ms;
    const barsPerYear = (MINUTES_PER_YEAR * 60_000) / options.timeframe.ms;
    this.barVolatility = (options.annualVolatility ?? 0.6) / Math.sqrt(barsPerYear);
    this.baseVolume = options.baseVolume ?? 40 * (options.timeframe.ms / 300_000);
    this.ticksPerUnit = 1 / (options.tickSize ?? 0.01);
    this.gapProbability = options.gapProbability ?? 0;
    this.price = this.tick(options.startPrice ?? 30_000, Math.round);
    this.ts = options.startTs - options.timeframe.ms;
  }

  /** An independent market in this one's state: it continues with the same bars (a checkpoint). */
  clone(): SyntheticMarket {
    const copy = Object.create(SyntheticMarket.prototype) as SyntheticMarket;
    Object.assign(copy, this, { random: this.random.clone() });
    return copy;
  }

  /** Writes the next bar into `target` and returns it. */
  next(target: MutableBar): MutableBar {
    this.maybeSwitchRegime();
    this.variance =
      1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * this.lastShock ** 2 + GARCH_BETA * this.variance;
    const sigma = this.barVolatility * this.regime.volatilityScale * Math.sqrt(this.variance);
    let shock = this.random.normal();
    if (this.random.uniform() < JUMP_PROBABILITY) shock *= 6;
    this.lastShock = shock;
    const logReturn = this.regime.drift * this.barVolatility + sigma * shock;

    let open = this.price;
    if (this.gapProbability > 0 && this.random.uniform() < this.gapProbability)
      open = this.tick(open * Math.exp(4 * sigma * this.random.normal()), Math.round);
    const close = Math.max(this.tick(open * Math.exp(logReturn), Math.round), 1 / this.ticksPerUnit);
    const wickUp = Math.abs(this.random.normal()) * sigma * 0.6;
    const wickDown = Math.abs(this.random.normal()) * sigma * 0.6;
    this.ts += this.timeframeMs;
    this.price = close;

    target.ts = this.ts as TsMs;
    target.open = open;
    target.close = close;
    target.high = this.tick(Math.max(open, close) * Math.exp(wickUp), Math.ceil);
    target.low = Math.max(
      this.tick(Math.min(open, close) * Math.exp(-wickDown), Math.floor),
      1 / this.ticksPerUnit,
    );
    target.volume = this.volume(Math.abs(shock));
    return target;
  }

  /** A price on the tick grid (rounded as asked), as exchanges quote. */
  private tick(price: number, round: (x: number) => number): number {
    return round(price * this.ticksPerUnit) / this.ticksPerUnit;
  }

  private maybeSwitchRegime(): void {
    if (this.random.uniform() >= 1 / this.regime.meanDurationBars) return;
    const others = REGIMES.filter((r) => r !== this.regime);
    this.regime = others[this.random.int(others.length)]!;
  }

  private volume(absShock: number): number {
    const hour = Math.floor((this.ts % 86_400_000) / 3_600_000);
    // Busier around the US/EU overlap (13-17 UTC), quieter in the Asian night.
    const intraday = 1 + 0.45 * Math.cos(((hour - 15) / 24) * 2 * Math.PI);
    const activity = 0.6 + 0.8 * absShock;
    const noise = Math.exp(0.35 * this.random.normal() - 0.06);
    return Math.round(this.baseVolume * intraday * activity * noise * 1e8) / 1e8;
  }
}

/** `count` consecutive synthetic bars as typed arrays. */
export function generateSeries(options: SyntheticOptions, count: number): BarSeries {
  const market = new SyntheticMarket(options);
  const series = allocateSeries(count);
  const bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 } as MutableBar;
  for (let i = 0; i < count; i++) {
    storeBar(series, i, market.next(bar));
  }
  return series;
}
