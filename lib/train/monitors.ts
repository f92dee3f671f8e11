import { MjolnirError } from '../core/index.js';

/** A window of bar close times, both ends included. */
export interface TsWindow {
  readonly start_ts: number;
  readonly end_ts: number;
}

/** Whether an evaluation window is out of sample for a model: it must not touch the training window. */
export interface OosVerdict {
  readonly ok: boolean;
  readonly message: string;
}

const iso = (ts: number) => new Date(ts).toISOString().replace('.000Z', 'Z');

/**
 * Seed 002's rule: an out-of-sample evaluation may not overlap the window the model was trained on
 * (its first row's bar to its last label's bar). Touching at a single bar is an overlap.
 */
export function validateOos(train: TsWindow, evaluation: TsWindow): OosVerdict {
  if (!(evaluation.start_ts <= evaluation.end_ts))
    throw new MjolnirError(
      'input_invalid',
      `the evaluation window ends (${iso(evaluation.end_ts)}) before it starts`,
    );
  const from = Math.max(train.start_ts, evaluation.start_ts);
  const to = Math.min(train.end_ts, evaluation.end_ts);
  const trained = `${iso(train.start_ts)} .. ${iso(train.end_ts)}`;
  return from <= to
    ? {
        ok: false,
        message: `OVERLAP: the evaluation window shares ${iso(from)} .. ${iso(to)} with the training window ${trained}`,
      }
    : { ok: true, message: `OK: out of sample (trained on ${trained})` };
}

/** How a feature's distribution moved: PSI over the reference's deciles. */
export interface DriftScore {
  readonly feature: string;
  readonly psi: number;
  readonly level: 'ok' | 'moderate' | 'drift';
}

/** PSI above this is drift (exit 1); from MODERATE_PSI it is reported as moderate. */
export const DRIFT_PSI = 0.25;
export const MODERATE_PSI = 0.1;
/** The share an empty bin counts as, so a bin empty on one side does not make PSI infinite. */
const EMPTY_SHARE = 1e-4;

/** Bin edges at the reference's quantiles (bins - 1 inner edges). */
function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  for (let b = 1; b < bins; b++)
    edges.push(sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))]!);
  return edges;
}

function shares(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let b = 0;
    while (b < edges.length && v >= edges[b]!) b++;
    counts[b]!++;
  }
  return counts.map((c) => Math.max(c / values.length, EMPTY_SHARE));
}

/**
 * Population stability index of `live` against `reference`: 10 bins at the reference's deciles,
 * sum of (live - ref) * ln(live / ref) over bins, empty bins counted as a 1e-4 share.
 */
export function psi(reference: ArrayLike<number>, live: ArrayLike<number>, bins = 10): number {
  if (reference.length < bins || live.length < bins)
    throw new MjolnirError(
      'input_invalid',
      `PSI needs at least ${bins} values on each side (${reference.length} and ${live.length})`,
    );
  const sorted = Float64Array.from(reference).sort();
  const edges = quantileEdges(sorted, bins);
  const expected = shares(reference, edges);
  const actual = shares(live, edges);
  let sum = 0;
  for (let b = 0; b < expected.length; b++)
    sum += (actual[b]! - expected[b]!) * Math.log(actual[b]! / expected[b]!);
  return sum;
}

/** PSI per feature of two row-major feature matrices. */
export function featureDrift(
  names: readonly string[],
  reference: { x: Float32Array; rows: number },
  live: { x: Float32Array; rows: number },
): DriftScore[] {
  const f = names.length;
  const column = (m: { x: Float32Array; rows: number }, j: number) => {
    const out = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) out[r] = m.x[r * f + j]!;
    return out;
  };
  return names.map((feature, j) => {
    const value = psi(column(reference, j), column(live, j));
    return {
      feature,
      psi: value,
      level: value > DRIFT_PSI ? 'drift' : value >= MODERATE_PSI ? 'moderate' : 'ok',
    };
  });
}

/** Whether a stream's newest stored bar is recent enough. */
export interface Freshness {
  readonly lastTs: number | null;
  /** Closed bars after the newest stored one, up to `now`. */
  readonly behindBars: number;
  readonly stale: boolean;
}

/** The newest stored bar against the last bar closed at `now` (bar close times on the timeframe's grid). */
export function freshness(
  lastTs: number | null,
  now: number,
  barMs: number,
  maxStalenessBars: number,
): Freshness {
  const lastClosed = Math.floor(now / barMs) * barMs;
  const behindBars =
    lastTs === null ? Number.POSITIVE_INFINITY : Math.max(0, Math.round((lastClosed - lastTs) / barMs));
  return { lastTs, behindBars, stale: behindBars > maxStalenessBars };
}
