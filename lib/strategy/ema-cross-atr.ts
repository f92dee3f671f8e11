import { z } from 'zod';
import { Atr, Ema } from '../features/index.js';
import type { Bar } from '../market/index.js';
import { crossSignal } from './cross.js';
import { defineStrategy } from './define.js';
import type { StrategyRules } from './types.js';
import { emaStable, wilderStable } from './warmup.js';

const params = z
  .strictObject({
    fast: z.number().int().min(2).default(12),
    slow: z.number().int().min(3).default(26),
    atr_period: z.number().int().min(1).default(14),
    atr_mult: z.number().positive().default(2),
    trailing: z.boolean().default(false),
    allow_short: z.boolean().default(false),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

type Params = z.infer<typeof params>;

interface Features {
  fast: Ema;
  slow: Ema;
  atr: Atr;
  /** fast - slow at this bar and the previous one. */
  spread: number;
  previousSpread: number;
}

function features(p: Params): Features {
  return {
    fast: new Ema(p.fast),
    slow: new Ema(p.slow),
    atr: new Atr(p.atr_period),
    spread: Number.NaN,
    previousSpread: Number.NaN,
  };
}

function rules(p: Params): StrategyRules<Features> {
  return {
    // The spread needs the slow EMA, its previous value one more bar; the ATR needs period + 1 bars.
    warmupBars: Math.max(p.slow + 1, p.atr_period + 1),
    stableWarmupBars: Math.max(emaStable(p.slow), emaStable(p.fast), wilderStable(p.atr_period)) + 2,
    allowShort: p.allow_short,
    update(f, bar) {
      f.fast.update(bar.close);
      f.slow.update(bar.close);
      f.atr.update(bar.high, bar.low, bar.close);
      f.previousSpread = f.spread;
      f.spread = f.fast.value - f.slow.value;
    },
    valid: (f) => Number.isFinite(f.spread) && Number.isFinite(f.previousSpread) && f.atr.value > 0,
    entry: (f) => crossSignal(f.previousSpread, f.spread),
    exitLong: (f) => f.spread < 0,
    exitShort: (f) => f.spread > 0,
    stopDistance: (f) => p.atr_mult * f.atr.value,
    ...(p.trailing
      ? {
          trail(f: Features, side: 1 | -1, stop: number, bar: Bar): number {
            const candidate = bar.close - side * p.atr_mult * f.atr.value;
            return side === 1 ? Math.max(stop, candidate) : Math.min(stop, candidate);
          },
        }
      : {}),
    describe: (f) => ({ ema_fast: f.fast.value, ema_slow: f.slow.value, atr: f.atr.value }),
  };
}

/** EMA crossover with an ATR stop (the default strategy): long on a fast-over-slow cross, out on the reverse. */
export const emaCrossAtr = defineStrategy({
  id: 'ema_cross_atr',
  summary: 'EMA(fast) crosses EMA(slow); stop at atr_mult x ATR(atr_period) from entry, optionally trailing',
  params,
  features,
  rules,
});
