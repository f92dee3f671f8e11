import fc from 'fast-check';
import type { Bar, MutableBar } from '../../market/index.js';
import { SyntheticMarket } from '../../market/index.js';
import { createStrategy } from '../../strategy/index.js';
import type { TsMs } from '../../time/index.js';
import { timeframe } from '../../time/index.js';
import type { EngineContext } from '../advance.js';
import type { EngineSpec } from '../spec.js';

/** Random engine specs and faulty bar series for the engine's property tests. */
export const TF = timeframe('5m');
const START = 1_704_067_200_000 as TsMs; // 2024-01-01T00:00Z, so UTC-day risk rolls over inside runs

const STRATEGY_SETUPS = [
  ['ema_cross_atr', { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.5, trailing: true, allow_short: true }],
  ['sma_cross', { fast: 3, slow: 7, stop_pct: 0.004, allow_short: true }],
  ['rsi_reversion', { period: 5, oversold: 40, overbought: 60, exit_level: 50, atr_period: 4, atr_mult: 2 }],
] as const;

export const specArbitrary = fc
  .record({
    strategy: fc.constantFrom(...STRATEGY_SETUPS),
    model: fc.constantFrom('close' as const, 'next_open' as const),
    stopThrough: fc.boolean(),
    feeBps: fc.constantFrom(0, 7.5),
    dailyLossLimit: fc.constantFrom(Number.POSITIVE_INFINITY, 15),
    maxOrdersPerMinute: fc.constantFrom(Number.POSITIVE_INFINITY, 1),
  })
  .map(
    (o): EngineSpec => ({
      timeframe: TF,
      strategy: createStrategy(o.strategy[0], o.strategy[1]),
      fill: { model: o.model, stopThrough: o.stopThrough },
      costs: { feeBps: o.feeBps, slippageBps: 1 },
      sizing: { mode: 'equity_fraction', fraction: 0.5 },
      risk: {
        maxPositionNotional: Number.POSITIVE_INFINITY,
        maxOrderNotional: Number.POSITIVE_INFINITY,
        dailyLossLimit: o.dailyLossLimit,
        maxOrdersPerMinute: o.maxOrdersPerMinute,
      },
      initialCapital: 10_000,
    }),
  );

type Fault = 'drop' | 'duplicate' | 'reorder' | 'nan' | 'infinity' | 'inverted' | 'zero';

/** Clean synthetic bars, then faults injected at random places: what a bad feed can deliver. */
export const seriesArbitrary = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    length: fc.integer({ min: 10, max: 260 }),
    faults: fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom<Fault>('drop', 'duplicate', 'reorder', 'nan', 'infinity', 'inverted', 'zero'),
      }),
      { maxLength: 25 },
    ),
  })
  .map(({ seed, length, faults }) => {
    const market = new SyntheticMarket({ seed, timeframe: TF, startTs: START, annualVolatility: 1.2 });
    const bars: MutableBar[] = [];
    for (let i = 0; i < length; i++) bars.push(market.next({} as MutableBar));
    for (const { at, kind } of faults) {
      const i = at % bars.length;
      const b = bars[i]!;
      if (kind === 'drop' && bars.length > 2) bars.splice(i, 1);
      if (kind === 'duplicate') bars.splice(i + 1, 0, { ...b, close: b.close * 1.01 });
      if (kind === 'reorder' && i > 0) [bars[i - 1], bars[i]] = [b, bars[i - 1]!];
      if (kind === 'nan') b.close = Number.NaN;
      if (kind === 'infinity') b.high = Number.POSITIVE_INFINITY;
      if (kind === 'inverted') [b.high, b.low] = [b.low * 0.99, b.high * 1.01];
      if (kind === 'zero') b.open = 0;
    }
    return bars as Bar[];
  });

/** A deterministic kill-switch pattern by bar time, so two runs over the same bars see the same one. */
export function contextAt(ts: number): EngineContext {
  const slot = (ts / TF.ms) % 23;
  return { killSwitch: slot < 3, flatten: slot === 1 };
}
