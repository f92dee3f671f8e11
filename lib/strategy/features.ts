import { MjolnirError } from '../core/index.js';
import type { Indicator, IndicatorSnapshot } from '../features/index.js';
import type { FeatureSet } from './types.js';

function isIndicator(value: unknown): value is Indicator {
  return typeof value === 'object' && value !== null && 'snapshot' in value && 'restore' in value;
}

/** The complete state of a feature set: each indicator's snapshot and each plain number. */
export function snapshotFeatures(features: FeatureSet): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(features)) {
    if (isIndicator(value)) snapshot[key] = value.snapshot();
    else if (typeof value === 'number') snapshot[key] = value;
    else
      throw new MjolnirError('invariant_violated', `feature "${key}" is neither an indicator nor a number`);
  }
  return snapshot;
}

/** Overwrites a freshly created feature set with a snapshot taken from an identically configured one. */
export function restoreFeatures(features: FeatureSet, snapshot: Record<string, unknown>): void {
  const target = features as Record<string, unknown>;
  const expected = Object.keys(target).sort().join(',');
  const got = Object.keys(snapshot).sort().join(',');
  if (expected !== got) {
    throw new MjolnirError(
      'state_incompatible',
      `feature snapshot has [${got}] but the strategy has [${expected}]`,
    );
  }
  for (const [key, current] of Object.entries(target)) {
    const value = snapshot[key];
    if (isIndicator(current)) current.restore(value as IndicatorSnapshot);
    else if (typeof value === 'number') target[key] = value;
    else throw new MjolnirError('state_corrupt', `feature "${key}" in the snapshot is not a number`);
  }
}
