/**
 * An example of a strategy kept outside the library, as freqtrade users keep theirs in
 * user_data/strategies: name it in a config (`strategy: { file: ../strategies/bollinger_breakout.ts }`,
 * relative to the config) or pass the object to the library (backtest, notebooks). Copy it to start
 * your own: only `@mjolnir/lib` is imported.
 */
import { Atr, Bollinger, defineStrategy, wilderStable, z } from '@mjolnir/lib';

const params = z.strictObject({
  period: z.number().int().min(2).default(20),
  width: z.number().positive().default(2),
  atr_period: z.number().int().min(1).default(14),
  atr_mult: z.number().positive().default(2),
});

/** Indicators and plain numbers only: the paper loop snapshots them and restores them on restart. */
interface Features {
  bands: Bollinger;
  atr: Atr;
  close: number;
  previousClose: number;
  previousUpper: number;
}

export default defineStrategy({
  id: 'bollinger_breakout',
  summary: 'close breaks above the upper Bollinger band; exit under the middle band; stop at atr_mult x ATR',
  params,
  features: (p): Features => ({
    bands: new Bollinger(p.period, p.width),
    atr: new Atr(p.atr_period),
    close: Number.NaN,
    previousClose: Number.NaN,
    previousUpper: Number.NaN,
  }),
  rules: (p) => ({
    warmupBars: Math.max(p.period, p.atr_period) + 1,
    // ATR is Wilder-smoothed: it forgets its seed only slowly; the bands are windows.
    stableWarmupBars: Math.max(p.period + 1, wilderStable(p.atr_period)),
    allowShort: false,
    update(f, bar) {
      f.previousUpper = f.bands.upper;
      f.previousClose = f.close;
      f.bands.update(bar.close);
      f.atr.update(bar.high, bar.low, bar.close);
      f.close = bar.close;
    },
    valid: (f) => Number.isFinite(f.previousUpper) && Number.isFinite(f.bands.upper) && f.atr.value > 0,
    entry: (f) => (f.previousClose <= f.previousUpper && f.close > f.bands.upper ? 1 : 0),
    exitLong: (f) => f.close < f.bands.value,
    exitShort: () => false,
    stopDistance: (f) => p.atr_mult * f.atr.value,
    describe: (f) => ({ bb_mid: f.bands.value, bb_upper: f.bands.upper, atr: f.atr.value }),
  }),
});
