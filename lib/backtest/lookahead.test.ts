import { describe, expect, it } from 'vitest';
import type { EngineSpec, FillModel } from '../engine/index.js';
import type { Bar } from '../market/index.js';
import { type BarSeries, barsFromSeries, generateSeries, seriesFromBars } from '../market/index.js';
import type { Strategy, StrategyId } from '../strategy/index.js';
import { createStrategy, STRATEGIES } from '../strategy/index.js';
import type { TsMs } from '../time/index.js';
import { timeframe } from '../time/index.js';
import { checkLookahead, evenCuts } from './lookahead.js';

const TF = timeframe('5m');

/** Parameters that trade often, so every rule (entries, exits, stops, trailing) is exercised. */
const BUSY: Record<StrategyId, Record<string, number | boolean>> = {
  ema_cross_atr: { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.5, trailing: true, allow_short: true },
  sma_cross: { fast: 3, slow: 7, stop_pct: 0.004, allow_short: true },
  rsi_reversion: { period: 5, oversold: 40, overbought: 60, exit_level: 50, atr_period: 4, atr_mult: 2 },
};

function spec(strategy: Strategy, model: FillModel = 'close'): EngineSpec {
  return {
    timeframe: TF,
    strategy,
    fill: { model, stopThrough: true },
    costs: { feeBps: 10, slippageBps: 2 },
    sizing: { mode: 'equity_fraction', fraction: 0.5 },
    risk: {
      maxPositionNotional: Number.POSITIVE_INFINITY,
      maxOrderNotional: Number.POSITIVE_INFINITY,
      dailyLossLimit: 40,
      maxOrdersPerMinute: Number.POSITIVE_INFINITY,
    },
    initialCapital: 10_000,
  };
}

/** Synthetic bars with a few holes (bar_missing slots are decisions too). */
function market(seed: number, length: number): BarSeries {
  const series = generateSeries(
    { seed, timeframe: TF, startTs: 1_704_067_500_000 as TsMs, startPrice: 30_000 },
    length,
  );
  return seriesFromBars(barsFromSeries(series).filter((_bar, i) => i % 397 !== 396));
}

describe('the lookahead proof', () => {
  const series = market(7, 2_500);
  const cuts = evenCuts(series.length, 12, 20);

  for (const id of Object.keys(STRATEGIES) as StrategyId[]) {
    for (const model of ['close', 'next_open'] as const) {
      it(`${id} (${model} fills): decisions on data cut at ${cuts.length} points equal the full run's up to each cut`, () => {
        const report = checkLookahead(() => spec(createStrategy(id, BUSY[id]), model), series, cuts);
        expect(report.violation).toBeNull();
        expect(report.compared).toBe(cuts.reduce((sum, cut) => sum + cut, 0));
      });
    }
    it(`${id} with its default parameters`, () => {
      const report = checkLookahead(() => spec(createStrategy(id)), series, cuts);
      expect(report.violation).toBeNull();
    });
  }

  it('catches a strategy normalising with full-sample statistics (the classic research leak)', () => {
    const leaky = (data: BarSeries): EngineSpec => {
      let mean = 0;
      for (let i = 0; i < data.length; i++) mean += data.close[i]! / data.length;
      const base = createStrategy('sma_cross', BUSY.sma_cross);
      const strategy: Strategy<{ inner: object; above: boolean }> = {
        ...(base as unknown as Strategy<{ inner: object; above: boolean }>),
        createFeatures: () => ({ inner: base.createFeatures(), above: false }),
        update: (f, bar: Bar) => {
          base.update(f.inner, bar);
          f.above = bar.close > mean;
        },
        valid: (f) => base.valid(f.inner),
        entry: (f) => (f.above ? base.entry(f.inner) : 0),
        exitLong: (f) => base.exitLong(f.inner),
        exitShort: (f) => base.exitShort(f.inner),
        stopDistance: (f, close) => base.stopDistance(f.inner, close),
        describe: (f) => base.describe(f.inner),
      };
      return spec(strategy as unknown as Strategy);
    };
    const report = checkLookahead(leaky, series, cuts);
    expect(report.violation).not.toBeNull();
    const violation = report.violation!;
    expect(violation.index).toBeLessThan(violation.cut);
    expect(violation.ts).toBe(series.ts[violation.index]);
    expect(violation.full).not.toBe(violation.truncated);
  });

  it("catches a strategy that reads the next bar's close", () => {
    const peeking = (data: BarSeries): EngineSpec => {
      const next = new Map<number, number>();
      for (let i = 0; i + 1 < data.length; i++) next.set(data.ts[i]!, data.close[i + 1]!);
      const base = createStrategy('sma_cross', BUSY.sma_cross);
      const strategy: Strategy<{ inner: object; up: number }> = {
        ...(base as unknown as Strategy<{ inner: object; up: number }>),
        createFeatures: () => ({ inner: base.createFeatures(), up: 0 }),
        update: (f, bar: Bar) => {
          base.update(f.inner, bar);
          const after = next.get(bar.ts);
          f.up = after === undefined ? 0 : Math.sign(after - bar.close);
        },
        valid: (f) => base.valid(f.inner),
        entry: (f) => (f.up > 0 ? 1 : f.up < 0 ? -1 : 0),
        exitLong: (f) => f.up < 0,
        exitShort: (f) => f.up > 0,
        stopDistance: (f, close) => base.stopDistance(f.inner, close),
        describe: (f) => ({ ...base.describe(f.inner), up: f.up }),
      };
      return spec(strategy as unknown as Strategy);
    };
    const report = checkLookahead(peeking, series, cuts);
    // At the cut the truncated run cannot see the next bar: the last bar before the first cut differs.
    expect(report.violation?.cut).toBe(cuts[0]);
    expect(report.violation?.index).toBe(cuts[0]! - 1);
  });

  it('refuses cuts outside the series', () => {
    expect(() => checkLookahead(() => spec(createStrategy('sma_cross')), series, [0])).toThrow(/outside/);
    expect(() => checkLookahead(() => spec(createStrategy('sma_cross')), series, [])).toThrow(/at least one/);
  });
});
