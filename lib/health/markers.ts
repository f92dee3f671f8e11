import type { Reason } from '../engine/index.js';

/** Skip reasons that mean the host could not fetch, store or trust a bar. */
export const SKIP_MARKERS: ReadonlySet<Reason> = new Set([
  'fetch_failed',
  'persist_failed',
  'bar_invalid',
  'cadence_failed',
]);
