import { Atr, Ema, Returns, RollingWindow, Rsi } from '../../features/index.js';
import type { Bar } from '../../market/index.js';
import { emaStable, wilderStable } from '../warmup.js';

/** The version of the feature set below: a model's manifest names it, a loader refuses another. */
export const MODEL_FEATURES_VERSION = 'mjolnir.features.v1';

/** The inputs a model sees, in this order (scale-free, so a model carries from one market to another). */
export const MODEL_FEATURE_NAMES = [
  'ret_1',
  'ret_4',
  'ret_16',
  'vol_16',
  'ema_gap',
  'rsi',
  'atr_pct',
] as const;

/** Indicator state of the model features: indicators and plain numbers (the paper loop snapshots it). */
export interface ModelFeatureState {
  returns: Returns;
  sum4: RollingWindow;
  sum16: RollingWindow;
  fast: Ema;
  slow: Ema;
  rsi: Rsi;
  atr: Atr;
  close: number;
  /** The model's probability that the close `horizon` bars on is higher (NaN before a prediction). */
  probability: number;
}

export function modelFeatureState(): ModelFeatureState {
  return {
    returns: new Returns(),
    sum4: new RollingWindow(4),
    sum16: new RollingWindow(16),
    fast: new Ema(12),
    slow: new Ema(26),
    rsi: new Rsi(14),
    atr: new Atr(14),
    close: Number.NaN,
    probability: Number.NaN,
  };
}

/** Valid bars before every feature has a value (the 16-bar returns need 17 closes). */
export const MODEL_WARMUP_BARS = 27;
/** Bars after which the smoothed features no longer depend on where the warmup began. */
export const MODEL_STABLE_WARMUP_BARS = Math.max(emaStable(26), wilderStable(14)) + 17;

export function updateModelFeatures(f: ModelFeatureState, bar: Bar): void {
  f.returns.update(bar.close);
  if (f.returns.ready) {
    f.sum4.push(f.returns.logReturn);
    f.sum16.push(f.returns.logReturn);
  }
  f.fast.update(bar.close);
  f.slow.update(bar.close);
  f.rsi.update(bar.close);
  f.atr.update(bar.high, bar.low, bar.close);
  f.close = bar.close;
}

/** Writes the features in MODEL_FEATURE_NAMES order into `out`; false when one is not finite yet. */
export function modelFeatureValues(f: ModelFeatureState, out: Float64Array): boolean {
  if (!f.sum16.full || !(f.close > 0)) return false;
  const n = f.sum16.size;
  const mean = f.sum16.sum / n;
  out[0] = f.returns.logReturn;
  out[1] = f.sum4.sum;
  out[2] = f.sum16.sum;
  out[3] = Math.sqrt(Math.max(0, f.sum16.sumOfSquares / n - mean * mean));
  out[4] = (f.fast.value - f.slow.value) / f.close;
  out[5] = f.rsi.value / 100 - 0.5;
  out[6] = f.atr.value / f.close;
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) return false;
  return true;
}
