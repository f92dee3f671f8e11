import type { Timeframe, TsMs } from '../time/index.js';
import { type Bar, type BarDefect, barDefect } from './bar.js';

/** Why a raw row was flagged. Defects of values keep the bar (the engine decides it `bar_invalid`). */
export type BarFlag = BarDefect | 'malformed' | 'misaligned' | 'duplicate' | 'out_of_order';

/** One flagged row: where it was in the payload or file, its close time if known, and why. */
export interface FlaggedRow {
  /** Row index in the payload, or line number in a file. */
  readonly at: number;
  readonly ts: number;
  readonly flag: BarFlag;
  readonly detail?: string;
}

/** A raw row before validation: close time and values as numbers (anything unparsable is NaN). */
export interface RawBarRow {
  readonly at: number;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The outcome of validating a batch: bars sorted and unique by ts, and every problem found. */
export interface ValidatedBars {
  readonly bars: Bar[];
  readonly flags: FlaggedRow[];
}

/**
 * Turns raw rows into bars, parse-at-the-edge style. Nothing is passed on silently:
 * - a row whose close time is not a whole number is `malformed` and dropped;
 * - a close time off the timeframe grid is `misaligned` and dropped (it cannot be keyed);
 * - a repeated close time is a `duplicate`: the later row wins (the lake's rule);
 * - a close time older than its predecessor is `out_of_order`: the batch is sorted;
 * - bad values (non-finite, high < low, ...) are flagged with their defect and kept, so every host
 *   sees the same bar and the engine records it as `bar_invalid`.
 */
export function validateRows(rows: readonly RawBarRow[], tf: Timeframe): ValidatedBars {
  const flags: FlaggedRow[] = [];
  const byTs = new Map<number, Bar>();
  let previous = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    if (!Number.isSafeInteger(row.ts)) {
      flags.push({
        at: row.at,
        ts: row.ts,
        flag: 'malformed',
        detail: 'close time is not an integer of milliseconds',
      });
      continue;
    }
    if (row.ts % tf.ms !== 0) {
      flags.push({ at: row.at, ts: row.ts, flag: 'misaligned', detail: `not on the ${tf.label} grid` });
      continue;
    }
    if (row.ts < previous) flags.push({ at: row.at, ts: row.ts, flag: 'out_of_order' });
    if (byTs.has(row.ts))
      flags.push({ at: row.at, ts: row.ts, flag: 'duplicate', detail: 'the later row is kept' });
    previous = Math.max(previous, row.ts);
    const bar: Bar = {
      ts: row.ts as TsMs,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: row.volume,
    };
    const defect = barDefect(bar);
    if (defect !== null) flags.push({ at: row.at, ts: row.ts, flag: defect });
    byTs.set(row.ts, bar);
  }
  const bars = [...byTs.values()].sort((a, b) => a.ts - b.ts);
  return { bars, flags };
}

/** Flags counted by kind, for one-line summaries. */
export function countFlags(flags: readonly FlaggedRow[]): Partial<Record<BarFlag, number>> {
  const counts: Partial<Record<BarFlag, number>> = {};
  for (const { flag } of flags) counts[flag] = (counts[flag] ?? 0) + 1;
  return counts;
}
