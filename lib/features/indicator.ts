import { MjolnirError } from '../core/index.js';

/** A JSON-shaped record of an indicator's complete state (numbers may be non-finite; see engine/codec). */
export type IndicatorSnapshot = { readonly kind: string } & { readonly [field: string]: unknown };

/** What every incremental indicator offers, besides its own `update(...)`. */
export interface Indicator {
  /** The primary output; NaN until `ready`. */
  readonly value: number;
  /** True once enough inputs have been seen for `value` to be defined. */
  readonly ready: boolean;
  /** Inputs seen so far. */
  readonly count: number;
  /** The complete state, so a restored copy continues bit-for-bit identically. */
  snapshot(): IndicatorSnapshot;
  /** Overwrites this indicator's state from a snapshot taken from an identically configured one. */
  restore(snapshot: IndicatorSnapshot): void;
}

/** Validates a period parameter (whole number >= minimum). */
export function checkPeriod(name: string, period: number, minimum = 1): number {
  if (!Number.isInteger(period) || period < minimum) {
    throw new MjolnirError('input_invalid', `${name} period must be an integer >= ${minimum}, got ${period}`);
  }
  return period;
}

/** Reads a numeric field of a snapshot, failing loudly on a mismatched or damaged snapshot. */
export function snapshotNumber(snapshot: IndicatorSnapshot, field: string): number {
  const value = snapshot[field];
  if (typeof value !== 'number') {
    throw new MjolnirError('state_corrupt', `${snapshot.kind} snapshot: field "${field}" is not a number`);
  }
  return value;
}

/** Checks that a snapshot belongs to an indicator of the same kind and configuration. */
export function checkSnapshot(
  snapshot: IndicatorSnapshot,
  kind: string,
  config: Record<string, number>,
): void {
  if (snapshot.kind !== kind) {
    throw new MjolnirError('state_incompatible', `expected a ${kind} snapshot, got ${snapshot.kind}`);
  }
  for (const [key, expected] of Object.entries(config)) {
    const actual = snapshot[key];
    if (actual !== expected) {
      throw new MjolnirError(
        'state_incompatible',
        `${kind} snapshot has ${key}=${String(actual)} but this indicator has ${key}=${expected}`,
      );
    }
  }
}
