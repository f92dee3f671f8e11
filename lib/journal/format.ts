/** Fast text for journals: the same characters as the slow built-ins, without their cost per row. */

const SCALE = 1e8;
// Below 2^52 * 1e-8 (about 4.5e7) doubles are spaced less than 1e-8 apart: each 8-decimal value is the
// only one in its double's rounding interval, so it is the shortest form String picks.
const FAST_LIMIT = 4e7;
// Below 1e-6 String switches to exponent notation.
const FAST_FLOOR = 1e-6;

/**
 * Exactly `String(x)`, NaN as the empty cell. Exchange prices carry at most 8 decimals; for such a
 * value (in magnitude between 1e-6 and 4e7) the shortest round-trip form, which String gives, is its
 * trimmed 8-decimal form, built here with integer arithmetic. Anything else falls back to String.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return '';
  if (x === 0) return '0';
  const magnitude = x < 0 ? -x : x;
  if (!(magnitude < FAST_LIMIT && magnitude >= FAST_FLOOR)) return String(x);
  const scaled = Math.round(magnitude * SCALE);
  if (scaled / SCALE !== magnitude) return String(x);
  // Small integers stringify fast; the 8 decimals are built from two-digit pieces.
  const whole = Math.floor(scaled / SCALE);
  const fraction = scaled - whole * SCALE;
  const sign = x < 0 ? '-' : '';
  if (fraction === 0) return `${sign}${whole}`;
  const a = Math.floor(fraction / 1e6);
  const b = Math.floor(fraction / 1e4) % 100;
  const c = Math.floor(fraction / 100) % 100;
  const d = fraction % 100;
  let decimals: string;
  if (d !== 0) decimals = `${PAIRS[a]}${PAIRS[b]}${PAIRS[c]}${TRIMMED[d]}`;
  else if (c !== 0) decimals = `${PAIRS[a]}${PAIRS[b]}${TRIMMED[c]}`;
  else if (b !== 0) decimals = `${PAIRS[a]}${TRIMMED[b]}`;
  else decimals = TRIMMED[a]!;
  return `${sign}${whole}.${decimals}`;
}

/** "00".."99". */
const PAIRS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** The same without a trailing zero ("10" -> "1"), for the last non-zero pair. */
const TRIMMED = PAIRS.map((pair) => (pair.endsWith('0') ? pair.slice(0, 1) : pair));

const TWO_DIGITS = PAIRS;
const DAY_MS = 86_400_000;
/** "HH:MM:00.000Z" for every minute of a day: bar times fall on minutes. */
const ON_THE_MINUTE = Array.from(
  { length: 1440 },
  (_, m) => `${PAIRS[Math.floor(m / 60)]}:${PAIRS[m % 60]}:00.000Z`,
);

/** ISO-8601 UTC text of timestamps (`toISOString`), with the date part cached per day. */
export class IsoTime {
  private day = Number.NaN;
  private prefix = '';

  format(ts: number): string {
    const day = Math.floor(ts / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    let rest = ts - day * DAY_MS;
    if (rest % 60_000 === 0) return `${this.prefix}${ON_THE_MINUTE[rest / 60_000]}`;
    const ms = rest % 1000;
    rest = (rest - ms) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    const millis = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : String(ms);
    return `${this.prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${millis}Z`;
  }
}
