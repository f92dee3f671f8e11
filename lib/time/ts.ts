/** UTC milliseconds since the epoch. For bars it is always the bar CLOSE (docs/contracts.md "Time"). */
export type TsMs = number & { readonly __brand: 'TsMs' };

/** Brands a plain number as a UTC millisecond timestamp (no validation: use at parsing edges). */
export function tsMs(value: number): TsMs {
  return value as TsMs;
}

/** The UTC day `YYYY-MM-DD` that contains the instant `ts`. */
export function utcDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** The UTC midnight at or before `ts`. */
export function utcDayStart(ts: number): number {
  return ts - (((ts % DAY_MS) + DAY_MS) % DAY_MS);
}

/** ISO-8601 text of a timestamp, for humans and logs. */
export function isoUtc(ts: number): string {
  return new Date(ts).toISOString();
}

/** Milliseconds in one UTC day. */
export const DAY_MS = 86_400_000;
