import { MjolnirError } from '../core/index.js';

/** Rows [start, end) of a dataset. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Fold {
  readonly index: number;
  readonly train: Range;
  readonly test: Range;
}

export interface WalkForwardOptions {
  /** Rows each training window holds (rolling), or the first one holds (anchored). */
  readonly train: number;
  readonly test: number;
  /**
   * Time (ms) between a training row and the test window's first bar: a training row is kept only
   * when its bar plus `purgeMs` is before the test window starts. At least the label's horizon, so no
   * training label reads a bar of the test window, across outages too.
   */
  readonly purgeMs: number;
  /**
   * Time (ms) after each test window's last bar within which the next test window may not start: at
   * least the label's horizon, so two test windows' labels share no bar and their scores are
   * independent.
   */
  readonly embargoMs: number;
  /** Anchored: every training window starts at row 0 and grows; rolling (default): it slides. */
  readonly anchored?: boolean;
}

function check(options: WalkForwardOptions): void {
  for (const [name, value, min] of [
    ['train', options.train, 1],
    ['test', options.test, 1],
    ['purge', options.purgeMs, 0],
    ['embargo', options.embargoMs, 0],
  ] as const)
    if (!Number.isSafeInteger(value) || value < min)
      throw new MjolnirError(
        'input_invalid',
        `walk-forward ${name} must be a whole number >= ${min}, got ${value}`,
      );
}

/** The first row at or after `from` whose bar is after `after` (rows in time order). */
function firstAfter(ts: ArrayLike<number>, from: number, after: number): number {
  let row = from;
  while (row < ts.length && !(ts[row]! > after)) row++;
  return row;
}

/**
 * Walk-forward splits of dataset rows in time order (as skfolio's WalkForward or vectorbt's
 * rolling_split), window sizes in rows and purge and embargo in time, so an outage between rows
 * never lets a training label reach into a test window: each test window starts at the first row
 * that has `train` rows purged before it; training always ends before its test window starts; the
 * next test window starts at the first row after the embargo.
 */
export function walkForward(ts: ArrayLike<number>, options: WalkForwardOptions): Fold[] {
  check(options);
  const { train, test, purgeMs, embargoMs } = options;
  const folds: Fold[] = [];
  // Rows [0, trainEnd) are those whose bar + purge is before the candidate test start.
  let trainEnd = 0;
  let testStart = 0;
  for (;;) {
    while (testStart < ts.length) {
      while (trainEnd < testStart && ts[trainEnd]! + purgeMs < ts[testStart]!) trainEnd++;
      if (trainEnd >= train) break;
      testStart++;
    }
    if (testStart + test > ts.length) break;
    folds.push({
      index: folds.length,
      train: { start: options.anchored === true ? 0 : trainEnd - train, end: trainEnd },
      test: { start: testStart, end: testStart + test },
    });
    const testEnd = testStart + test;
    testStart = firstAfter(ts, testEnd, ts[testEnd - 1]! + embargoMs);
  }
  if (folds.length === 0)
    throw new MjolnirError(
      'input_invalid',
      `${ts.length} rows are too few for one fold (train ${train} + purge ${purgeMs / 1000} s + test ${test})`,
    );
  return folds;
}
