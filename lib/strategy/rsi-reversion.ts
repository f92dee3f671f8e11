import { z } from 'zod';
import { Atr, Rsi } from '../features/index.js';
import { defineStrategy } from './define.js';
import type { Signal, StrategyRules } from './types.js';
import { wilderStable } from './warmup.js';

const params = z
  .strictObject({
    period: z.number().int().min(2).default(14),
    oversold: z.number().gt(0).lt(100).default(30),
    overbought: z.number().gt(0).lt(100).default(70),
    /** RSI level at which a reversion trade is considered done. */
    exit_level: z.number().gt(0).lt(100).default(50),
    atr_period: z.number().int().min(1).default(14),
    atr_mult: z.number().positive().default(3),
    allow_short: z.boolean().default(false),
  })
  .refine((p) => p.oversold < p.exit_level && p.exit_level < p.overbought, {
    message: 'expected oversold < exit_level < overbought',
    path: ['exit_level'],
  });

type Params = z.infer<typeof params>;

interface Features {
  rsi: Rsi;
  atr: Atr;
  previousRsi: number;
}

function features(p: Params): Features {
  return { rsi: new Rsi(p.period), atr: new Atr(p.atr_period), previousRsi: Number.NaN };
}

function rules(p: Params): StrategyRules<Features> {
  return {
    // RSI needs period + 1 bars, its previous value one more; the ATR needs atr_period + 1.
    warmupBars: Math.max(p.period + 2, p.atr_period + 1),
    stableWarmupBars: Math.max(wilderStable(p.period), wilderStable(p.atr_period)) + 2,
    allowShort: p.allow_short,
    update(f, bar) {
      f.previousRsi = f.rsi.value;
      f.rsi.update(bar.close);
      f.atr.update(bar.high, bar.low, bar.close);
    },
    valid: (f) => Number.isFinite(f.rsi.value) && Number.isFinite(f.previousRsi) && f.atr.value > 0,
    // Entries on the crossing into the extreme zone, so a stopped-out trade is not re-entered at once.
    entry(f): Signal {
      if (f.previousRsi >= p.oversold && f.rsi.value < p.oversold) return 1;
      if (f.previousRsi <= p.overbought && f.rsi.value > p.overbought) return -1;
      return 0;
    },
    exitLong: (f) => f.rsi.value >= p.exit_level,
    exitShort: (f) => f.rsi.value <= p.exit_level,
    stopDistance: (f) => p.atr_mult * f.atr.value,
    describe: (f) => ({ rsi: f.rsi.value, atr: f.atr.value }),
  };
}

/** RSI mean reversion: long when RSI dips under `oversold`, out at `exit_level`; ATR stop. */
export const rsiReversion = defineStrategy({
  id: 'rsi_reversion',
  summary: 'RSI(period) crosses into oversold/overbought; exit at exit_level; stop at atr_mult x ATR',
  params,
  features,
  rules,
});
