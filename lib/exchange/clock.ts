import type { MarketDataSource } from '../market/index.js';
import type { Clock } from '../time/index.js';

/** The exchange clock against ours (runbook 001: "timestamp outside recv window"). */
export interface ClockDrift {
  /** Exchange time minus local time at the request's midpoint; positive when we are behind. */
  readonly driftMs: number;
  /** Round trip of the time request: the drift is known to within half of it. */
  readonly roundTripMs: number;
  readonly serverTime: number;
}

/** Measures drift with one server-time request, or null when the exchange has no clock endpoint. */
export async function measureClockDrift(source: MarketDataSource, clock: Clock): Promise<ClockDrift | null> {
  const before = clock.now();
  const serverTime = await source.fetchServerTime();
  const after = clock.now();
  if (serverTime === null) return null;
  return { driftMs: serverTime - (before + after) / 2, roundTripMs: after - before, serverTime };
}
