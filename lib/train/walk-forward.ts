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
   * Rows dropped between a training window and its test window: at least the label horizon, so no
   * training label looks into the test window.
   */
  readonly purge: number;
  /**
   * Rows left out after each test window before the next one starts: at least the horizon, so two
   * test windows' labels share no bar and their scores are independent.
   */
  readonly embargo: number;
  /** Anchored: every training window starts at row 0 and grows; rolling (default): it slides. */
  readonly anchored?: boolean;
}

/**
 * Walk-forward splits of `rows` rows in time order (as skfolio's WalkForward or vectorbt's
 * rolling_split, with purge and embargo in rows): each test window follows its training window after
 * `purge` rows; the next test window starts `embargo` rows after the last ends; training always ends
 * before its test window starts.
 */
export function walkForward(rows: number, options: WalkForwardOptions): Fold[] {
  const { train, test, purge, embargo } = options;
  for (const [name, value, min] of [
    ['train', train, 1],
    ['test', test, 1],
    ['purge', purge, 0],
    ['embargo', embargo, 0],
  ] as const)
    if (!Number.isSafeInteger(value) || value < min)
      throw new MjolnirError(
        'input_invalid',
        `walk-forward ${name} must be a whole number >= ${min}, got ${value}`,
      );
  const folds: Fold[] = [];
  for (let testStart = train + purge; testStart + test <= rows; testStart += test + embargo) {
    const trainEnd = testStart - purge;
    folds.push({
      index: folds.length,
      train: { start: options.anchored === true ? 0 : trainEnd - train, end: trainEnd },
      test: { start: testStart, end: testStart + test },
    });
  }
  if (folds.length === 0)
    throw new MjolnirError(
      'input_invalid',
      `${rows} rows are too few for one fold (train ${train} + purge ${purge} + test ${test})`,
    );
  return folds;
}
