import { err, ok, type Result } from '../core/index.js';
import type { TsMs } from './ts.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The timeframes we support, from one minute to one day (each divides a UTC day evenly). */
export const TIMEFRAMES = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
] as const;

/** A supported timeframe label such as "5m". */
export type TimeframeLabel = (typeof TIMEFRAMES)[number];

/** A parsed timeframe: its label and its length in milliseconds. */
export interface Timeframe {
  readonly label: TimeframeLabel;
  readonly ms: number;
}

function isTimeframeLabel(text: string): text is TimeframeLabel {
  return (TIMEFRAMES as readonly string[]).includes(text);
}

/** Parses "5m", "1h", "1d" ...; anything else is an error naming the accepted values. */
export function parseTimeframe(text: string): Result<Timeframe, string> {
  if (!isTimeframeLabel(text)) {
    return err(`unknown timeframe "${text}"; expected one of ${TIMEFRAMES.join(', ')}`);
  }
  const unit = text.slice(-1) as keyof typeof UNIT_MS;
  return ok({ label: text, ms: Number(text.slice(0, -1)) * UNIT_MS[unit] });
}

/** Like parseTimeframe, for labels known to be valid (constants, already-validated config). */
export function timeframe(label: TimeframeLabel): Timeframe {
  const parsed = parseTimeframe(label);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** The boundary at or before `ts` (boundaries are multiples of the timeframe since the epoch, UTC). */
export function alignDown(ts: number, tf: Timeframe): TsMs {
  return (ts - (((ts % tf.ms) + tf.ms) % tf.ms)) as TsMs;
}

/** True when `ts` lies exactly on a boundary of the timeframe. */
export function isAligned(ts: number, tf: Timeframe): boolean {
  return Number.isSafeInteger(ts) && ts % tf.ms === 0;
}

/** The bar close that follows the bar closing at `closeTs`. */
export function nextClose(closeTs: TsMs, tf: Timeframe): TsMs {
  return (closeTs + tf.ms) as TsMs;
}

/** The close of the bar that opens at `openTs` (docs/contracts.md: ts_ms = open + timeframe). */
export function closeOfOpen(openTs: number, tf: Timeframe): TsMs {
  return (openTs + tf.ms) as TsMs;
}

/** The open of the bar that closes at `closeTs`. */
export function openOfClose(closeTs: TsMs, tf: Timeframe): number {
  return closeTs - tf.ms;
}

/** The close of the newest bar that is closed at instant `now`: a bar closing exactly at `now` counts. */
export function lastClosedAt(now: number, tf: Timeframe): TsMs {
  return alignDown(now, tf);
}

/** How many bar slots lie strictly between two closes (0 when `later` directly follows `earlier`). */
export function slotsBetween(earlier: TsMs, later: TsMs, tf: Timeframe): number {
  return (later - earlier) / tf.ms - 1;
}
