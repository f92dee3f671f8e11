import { MjolnirError } from '../core/index.js';
import { type BarSeries, isUsableBar, loadBar, mutableBar } from '../market/index.js';
import type { Strategy } from '../strategy/index.js';

/** What a row's label says about the bars after it. */
export type LabelKind = 'direction' | 'return';

export interface DatasetOptions {
  /** Bars ahead the label looks: the return from close[t] to close[t + horizon]. */
  readonly horizon: number;
  /** `direction`: 1 when that return is positive, else 0 (a classifier's target); `return`: the return itself. */
  readonly label: LabelKind;
  /** Bars fed to the features before rows are kept (default the strategy's stable warmup). */
  readonly warmup?: number;
}

/** Rows of features and labels as typed arrays (what tfjs tensors are made of). */
export interface Dataset {
  /** Close time of each row's bar. */
  readonly ts: Float64Array;
  /** rows x features, row-major. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly features: readonly string[];
  readonly rows: number;
  readonly horizon: number;
  readonly label: LabelKind;
}

/**
 * A dataset from bars and a strategy's features: the inputs of the row at bar t are the features
 * after bars <= t (never later: the strategy's own update), the label the return over the next
 * `horizon` bars; rows before the warmup, rows whose features are not valid or whose bars (t or
 * t + horizon) are unusable are left out, and so are the last `horizon` bars (their label is not
 * known yet). Truncating the bars at any t leaves every row <= t - horizon unchanged
 * (`checkDatasetLookahead` proves it).
 */
export function buildDataset(series: BarSeries, strategy: Strategy, options: DatasetOptions): Dataset {
  const { horizon, label } = options;
  if (!Number.isSafeInteger(horizon) || horizon < 1)
    throw new MjolnirError('input_invalid', `horizon must be a whole number of bars >= 1, got ${horizon}`);
  const warmup = options.warmup ?? strategy.stableWarmupBars;
  const features = strategy.createFeatures();
  const bar = mutableBar();
  const ts: number[] = [];
  const y: number[] = [];
  const x: number[] = [];
  let names: string[] | null = null;
  for (let t = 0; t + horizon < series.length; t++) {
    loadBar(series, t, bar);
    if (!isUsableBar(bar)) continue;
    strategy.update(features, bar);
    if (t < warmup || !strategy.valid(features)) continue;
    const later = series.close[t + horizon]!;
    if (!(later > 0)) continue;
    const described = strategy.describe(features);
    names ??= Object.keys(described);
    const values = names.map((n) => described[n]!);
    if (!values.every(Number.isFinite)) continue;
    const change = later / bar.close - 1;
    ts.push(bar.ts);
    x.push(...values);
    y.push(label === 'direction' ? (change > 0 ? 1 : 0) : change);
  }
  return {
    ts: Float64Array.from(ts),
    x: Float32Array.from(x),
    y: Float32Array.from(y),
    features: names ?? [],
    rows: ts.length,
    horizon,
    label,
  };
}
