import { MjolnirError } from '../core/index.js';
import { type BarSeries, isUsableBar, loadBar, mutableBar } from '../market/index.js';
import type { Strategy } from '../strategy/index.js';

/** What a row's label says about the bars after it. */
export type LabelKind = 'direction' | 'return';

export interface DatasetOptions {
  /**
   * Bars ahead the label looks: the return from the close of the bar at t to the close of the bar
   * `horizon` bar lengths later, in time (never `horizon` rows later: across an outage those are
   * further away).
   */
  readonly horizon: number;
  /** The bar length in ms (the timeframe's): what `horizon` counts in. */
  readonly barMs: number;
  /** `direction`: 1 when that return is positive, else 0 (a classifier's target); `return`: the return itself. */
  readonly label: LabelKind;
  /** Bars fed to the features before rows are kept (default the strategy's stable warmup). */
  readonly warmup?: number;
}

/** Bars that gave no row, by why (bars before the warmup are not counted). */
export interface DroppedRows {
  /** The bar, or the bar its label reads, is not usable (a price not > 0, a NaN). */
  readonly unusableBar: number;
  /** The strategy's features were not valid or not finite there. */
  readonly invalidFeatures: number;
  /** A bar within the label's horizon is missing (an outage): its label would reach further ahead. */
  readonly labelAcrossOutage: number;
  /** The label's bar is not stored yet (the newest `horizon` bars). */
  readonly labelUnknown: number;
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
  /** The label's reach in ms: row i's label reads the close of the bar at ts[i] + horizonMs. */
  readonly horizonMs: number;
  readonly label: LabelKind;
  readonly dropped: DroppedRows;
}

/** The dropped rows in words, or '' when none was: what training and the notebook report. */
export function describeDropped(dropped: DroppedRows): string {
  const parts = [
    [dropped.labelAcrossOutage, 'label horizon crosses an outage'],
    [dropped.unusableBar, 'unusable bar'],
    [dropped.invalidFeatures, 'features not valid'],
    [dropped.labelUnknown, 'label not known yet'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, why]) => `${n} ${why}`)
    .join(', ');
}

/**
 * A dataset from bars and a strategy's features: the inputs of the row at bar t are the features
 * after bars <= t (never later: the strategy's own update), the label the return from t's close to
 * the close `horizon` bar lengths later. Rows before the warmup are left out, and counted by why in
 * `dropped`: features not valid, an unusable bar (t or its label's), a label whose horizon crosses an
 * outage (a bar missing in between: the row would learn a longer horizon than it says), and the
 * newest bars whose label is not known yet. Truncating the bars at any t leaves every row whose label
 * closes <= t unchanged (`checkDatasetLookahead` proves it).
 */
export function buildDataset(series: BarSeries, strategy: Strategy, options: DatasetOptions): Dataset {
  const { horizon, label, barMs } = options;
  if (!Number.isSafeInteger(horizon) || horizon < 1)
    throw new MjolnirError('input_invalid', `horizon must be a whole number of bars >= 1, got ${horizon}`);
  if (!(barMs > 0)) throw new MjolnirError('input_invalid', `bar length must be > 0 ms, got ${barMs}`);
  const horizonMs = horizon * barMs;
  const warmup = options.warmup ?? strategy.stableWarmupBars;
  const features = strategy.createFeatures();
  const bar = mutableBar();
  const ts: number[] = [];
  const y: number[] = [];
  const x: number[] = [];
  const dropped = { unusableBar: 0, invalidFeatures: 0, labelAcrossOutage: 0, labelUnknown: 0 };
  let names: string[] | null = null;
  for (let t = 0; t < series.length; t++) {
    loadBar(series, t, bar);
    if (!isUsableBar(bar)) {
      if (t >= warmup) dropped.unusableBar++;
      continue;
    }
    strategy.update(features, bar);
    if (t < warmup) continue;
    const reason = labelProblem(series, t, horizon, horizonMs);
    if (reason !== null) {
      dropped[reason]++;
      continue;
    }
    if (!strategy.valid(features)) {
      dropped.invalidFeatures++;
      continue;
    }
    const described = strategy.describe(features);
    names ??= Object.keys(described);
    const values = names.map((n) => described[n]!);
    if (!values.every(Number.isFinite)) {
      dropped.invalidFeatures++;
      continue;
    }
    const change = series.close[t + horizon]! / bar.close - 1;
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
    horizonMs,
    label,
    dropped,
  };
}

/**
 * Why the bar at t has no label, or null: its label's bar (`horizon` bars later in time) must be
 * stored, with every bar in between (bars are stored in time order, one per slot, so that is the bar
 * `horizon` rows later sitting exactly `horizonMs` later), and usable.
 */
function labelProblem(
  series: BarSeries,
  t: number,
  horizon: number,
  horizonMs: number,
): keyof DroppedRows | null {
  const target = series.ts[t]! + horizonMs;
  if (t + horizon >= series.length)
    return series.ts[series.length - 1]! < target ? 'labelUnknown' : 'labelAcrossOutage';
  if (series.ts[t + horizon] !== target) return 'labelAcrossOutage';
  return series.close[t + horizon]! > 0 ? null : 'unusableBar';
}
