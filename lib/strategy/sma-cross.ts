import { z } from 'zod';
import { Sma } from '../features/index.js';
import { crossSignal } from './cross.js';
import { defineStrategy } from './define.js';
import type { StrategyRules } from './types.js';

const params = z
  .strictObject({
    fast: z.number().int().min(1).default(10),
    slow: z.number().int().min(2).default(30),
    /** Stop distance as a fraction of the close; 0 means no stop. */
    stop_pct: z.number().min(0).max(0.5).default(0.03),
    allow_short: z.boolean().default(false),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

type Params = z.infer<typeof params>;

interface Features {
  fast: Sma;
  slow: Sma;
  spread: number;
  previousSpread: number;
}

function features(p: Params): Features {
  return {
    fast: new Sma(p.fast),
    slow: new Sma(p.slow),
    spread: Number.NaN,
    previousSpread: Number.NaN,
  };
}

function rules(p: Params): StrategyRules<Features> {
  return {
    warmupBars: p.slow + 1,
    // A simple average has no memory beyond its window: valid is stable.
    stableWarmupBars: p.slow + 1,
    allowShort: p.allow_short,
    update(f, bar) {
      f.fast.update(bar.close);
      f.slow.update(bar.close);
      f.previousSpread = f.spread;
      f.spread = f.fast.value - f.slow.value;
    },
    valid: (f) => Number.isFinite(f.spread) && Number.isFinite(f.previousSpread),
    entry: (f) => crossSignal(f.previousSpread, f.spread),
    exitLong: (f) => f.spread < 0,
    exitShort: (f) => f.spread > 0,
    stopDistance: (_f, close) => (p.stop_pct > 0 ? p.stop_pct * close : Number.POSITIVE_INFINITY),
    describe: (f) => ({ sma_fast: f.fast.value, sma_slow: f.slow.value }),
  };
}

/** SMA crossover with an optional percentage stop. */
export const smaCross = defineStrategy({
  id: 'sma_cross',
  summary: 'SMA(fast) crosses SMA(slow); optional stop at stop_pct below/above entry',
  params,
  features,
  rules,
});
