import { createHash } from 'node:crypto';
import type { Stream } from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import {
  type EngineContext,
  type HostSkipReason,
  REASONS,
  type Reason,
  RUNNING,
  WARMUP,
} from '../engine/index.js';
import { type DecisionRow, DecisionTable } from '../journal/index.js';
import { type BarSeries, firstAtOrAfter, seriesColumns, sliceSeries } from '../market/index.js';
import type { Lake } from '../store/index.js';
import type { Strategy } from '../strategy/index.js';
import { timeframe } from '../time/index.js';
import { checkWarmup } from './warmup-check.js';

/** SHA-256 of the exact bars fed (all six columns), so a manifest names its input. */
export function seriesHash(series: BarSeries): string {
  const hash = createHash('sha256');
  for (const column of seriesColumns(series)) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, series.length * 8));
  }
  return hash.digest('hex');
}

/** The bars a backtest feeds: its warmup, then its window. */
export interface FedBars {
  readonly fed: BarSeries;
  /** Bars of `fed` before the window. */
  readonly warmupBars: number;
  /** Whether the warmup was proven long enough (N vs 2N); not for an explicit warmup start. */
  readonly proven: boolean;
}

/**
 * Reads the bars of a window and its warmup from the lake: from `warmupFrom` when given (LIVE's own
 * warmup start, taken as it is), else the strategy's stable warmup, proven against twice as long
 * before anything is written (too short a warmup, or too little history to tell, is an error).
 */
export async function loadBars(
  lake: Lake,
  stream: Stream,
  strategy: Strategy,
  window: { readonly start: number; readonly end: number; readonly warmupFrom?: number | undefined },
): Promise<FedBars> {
  const { start, end } = window;
  const tf = timeframe(stream.timeframe);
  if (!(end >= start))
    throw new MjolnirError('input_invalid', `window end ${end} is before its start ${start}`);
  if (start % tf.ms !== 0 || end % tf.ms !== 0)
    throw new MjolnirError('input_invalid', `window [${start}, ${end}] is not on the ${tf.label} grid`);
  const stable = strategy.stableWarmupBars;
  const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
  const series = await lake.read(key, window.warmupFrom ?? start - 2 * stable * tf.ms, end);
  let first = 0;
  while (first < series.length && series.ts[first]! < start) first++;
  if (first === series.length)
    throw new MjolnirError(
      'input_invalid',
      `the lake has no bars in [${start}, ${end}] for ${lake.layout.rawDir(key)}`,
    );
  if (window.warmupFrom === undefined) {
    checkWarmup(strategy, series, first, stable);
    return { fed: sliceSeries(series, first - stable), warmupBars: stable, proven: true };
  }
  // An explicit start is LIVE's own (eqflat): reproducing LIVE means warming up exactly as it did,
  // proven or not (the manifest says which).
  return { fed: series, warmupBars: first, proven: false };
}

const HOST_SKIPS = new Set(['fetch_failed', 'persist_failed']);

/** Each LIVE decision's slot and reason, from a journal's columns or from rows. */
function* reasonsOf(live: LiveDecisions | undefined): Iterable<[number, Reason]> {
  if (live === undefined) return;
  if (live instanceof DecisionTable) {
    for (let i = 0; i < live.length; i++) yield [live.ts.get(i), REASONS[live.reason.get(i)]!];
  } else for (const row of live) yield [row.ts_ms, row.reason];
}

/** LIVE's decisions: its journal read as columns, or rows. */
export type LiveDecisions = DecisionTable | readonly DecisionRow[];

/** What a backtest feeds besides the bars: LIVE's host skips, and each slot's context. */
export interface SlotInputs {
  readonly hostSkips: ReadonlyMap<number, HostSkipReason>;
  readonly contextAt: (ts: number) => EngineContext;
  /** See ReplayInputs.contextChange. */
  readonly contextChange: (ts: number) => number;
}

/**
 * The slots of a window as LIVE saw them: its host skips (fetch_failed, persist_failed) applied at
 * the same bars, its kill switch refusals and flattening in force at the same bars; warmup before
 * the window. Without LIVE decisions, every window slot simply runs.
 */
export function slotInputs(
  live: LiveDecisions | undefined,
  window: { readonly from: number; readonly start: number; readonly end: number },
): SlotInputs {
  const hostSkips = new Map<number, HostSkipReason>();
  /** The slots LIVE decided under its kill switch, each with its context. */
  const switched = new Map<number, EngineContext>();
  // One row per slot, the last (a journal has one; read back after a crash, the last is LIVE's).
  const reasons = new Map(reasonsOf(live));
  for (const [ts, reason] of reasons) {
    if (HOST_SKIPS.has(reason) && ts >= window.from && ts <= window.end)
      hostSkips.set(ts, reason as HostSkipReason);
    const flatten = reason === 'kill_switch_flatten';
    if (flatten || reason === 'kill_switch') switched.set(ts, { killSwitch: true, flatten });
  }
  const switchedTimes = [...switched.keys()].sort((a, b) => a - b);
  const contextAt = (ts: number): EngineContext =>
    ts < window.start ? WARMUP : (switched.get(ts) ?? RUNNING);
  const contextChange = (ts: number): number => {
    if (ts < window.start) return window.start;
    // A switched slot's context is its own: the next slot's may differ.
    if (switched.has(ts)) return ts + 1;
    // Close times are whole milliseconds: the first after ts is the first at or after ts + 1.
    return switchedTimes[firstAtOrAfter(switchedTimes, ts + 1)] ?? Number.POSITIVE_INFINITY;
  };
  return { hostSkips, contextAt, contextChange };
}
