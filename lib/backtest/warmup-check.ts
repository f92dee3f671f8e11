import { MjolnirError } from '../core/index.js';
import { type BarSeries, isUsableBar, loadBar, mutableBar } from '../market/index.js';
import type { Strategy } from '../strategy/index.js';

/** How the features at a window start differ between a warmup of N bars and one of 2N. */
export interface WarmupCheck {
  readonly bars: number;
  readonly worst: {
    readonly feature: string;
    readonly withN: number;
    readonly with2N: number;
    readonly relative: number;
  };
}

function featuresAfter(
  strategy: Strategy,
  series: BarSeries,
  from: number,
  to: number,
): Record<string, number> {
  const features = strategy.createFeatures();
  const bar = mutableBar();
  for (let i = from; i < to; i++) {
    loadBar(series, i, bar);
    if (isUsableBar(bar)) strategy.update(features, bar);
  }
  return strategy.describe(features);
}

/**
 * Proves a warmup long enough: the strategy's features at the window start (bar `start` of the
 * series) computed from N warmup bars and from 2N must agree within `tolerance` (relative). Too
 * short a warmup, or too little history to tell, is an error raised before any output.
 */
export function checkWarmup(
  strategy: Strategy,
  series: BarSeries,
  start: number,
  n: number,
  tolerance = 1e-4,
): WarmupCheck {
  if (start < 2 * n) {
    throw new MjolnirError(
      'input_invalid',
      `warmup check needs ${2 * n} bars before the window start (twice the ${n}-bar warmup); the lake has ${start}`,
    );
  }
  const withN = featuresAfter(strategy, series, start - n, start);
  const with2N = featuresAfter(strategy, series, start - 2 * n, start);
  let worst = { feature: '', withN: 0, with2N: 0, relative: 0 };
  for (const [feature, a] of Object.entries(withN)) {
    const b = with2N[feature]!;
    const relative = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);
    if (!(relative <= worst.relative))
      worst = {
        feature,
        withN: a,
        with2N: b,
        relative: Number.isNaN(relative) ? Number.POSITIVE_INFINITY : relative,
      };
  }
  if (!(worst.relative <= tolerance)) {
    throw new MjolnirError(
      'input_invalid',
      `warmup of ${n} bars is too short for ${strategy.id}: at the window start ${worst.feature} is ${worst.withN} after ${n} bars ` +
        `and ${worst.with2N} after ${2 * n} (relative difference ${worst.relative.toExponential(2)} > ${tolerance})`,
    );
  }
  return { bars: n, worst };
}
