import type { Signal } from './types.js';

/** Entry on a crossing of `fast - slow` through zero: 1 upward, -1 downward, 0 otherwise. */
export function crossSignal(previousSpread: number, spread: number): Signal {
  if (previousSpread <= 0 && spread > 0) return 1;
  if (previousSpread >= 0 && spread < 0) return -1;
  return 0;
}
