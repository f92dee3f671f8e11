/**
 * Time-axis ticks at natural boundaries (whole minutes, hours, days, Mondays, months, years), labelled
 * with what changes from one tick to the next: the time within a day, the date where the day turns,
 * the year where it turns. All in UTC.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-05, the first Monday after the epoch: weeks are counted from it. */
const FIRST_MONDAY = 4 * DAY;

/** A step between ticks: fixed (minutes to weeks) or in calendar months. */
type Step =
  | { readonly ms: number; readonly months?: never }
  | { readonly months: number; readonly ms?: never };

const STEPS: readonly Step[] = [
  ...[1, 2, 5, 10, 15, 30].map((m) => ({ ms: m * MINUTE })),
  ...[1, 2, 3, 6, 12].map((h) => ({ ms: h * HOUR })),
  { ms: DAY },
  { ms: 2 * DAY },
  { ms: 7 * DAY },
  ...[1, 2, 3, 6, 12, 24, 60, 120].map((months) => ({ months })),
];

/** A tick: where it is and what it says. */
export interface TimeTick {
  readonly value: number;
  readonly label: string;
}

/** The approximate length of a step, to choose one. */
const lengthOf = (step: Step) => step.ms ?? step.months! * 30.44 * DAY;

/** Tick positions of a fixed step in [lo, hi]: multiples of it from midnight UTC (weeks: Mondays). */
function fixedTicks(lo: number, hi: number, ms: number): number[] {
  const origin = ms === 7 * DAY ? FIRST_MONDAY : 0;
  const out: number[] = [];
  for (let t = Math.ceil((lo - origin) / ms) * ms + origin; t <= hi; t += ms) out.push(t);
  return out;
}

/** The first of every `months`-th month (counted from January) in [lo, hi]. */
function monthTicks(lo: number, hi: number, months: number): number[] {
  const start = new Date(lo);
  let index = start.getUTCFullYear() * 12 + start.getUTCMonth();
  index = Math.ceil(index / months) * months;
  const out: number[] = [];
  for (;;) {
    const t = Date.UTC(Math.floor(index / 12), index % 12, 1);
    if (t > hi) return out;
    if (t >= lo) out.push(t);
    index += months;
  }
}

/** Labels saying what changes: the time in a day, the date where the day turns, the year where it turns. */
function labelled(values: readonly number[], step: Step): TimeTick[] {
  let previous: string | null = null;
  return values.map((value) => {
    const iso = new Date(value).toISOString();
    const [date, year] = [iso.slice(0, 10), iso.slice(0, 4)];
    const newYear = previous === null || previous.slice(0, 4) !== year;
    const newDay = previous === null || previous !== date;
    previous = date;
    let label: string;
    if (step.months !== undefined)
      label = step.months >= 12 ? year : newYear ? iso.slice(0, 7) : iso.slice(5, 7);
    else if (step.ms >= DAY) label = newYear ? date : iso.slice(5, 10);
    else {
      const time = iso.slice(11, 16);
      label = newDay ? `${newYear ? date : iso.slice(5, 10)} ${time}` : time;
      if (newDay && time === '00:00') label = newYear ? date : iso.slice(5, 10);
    }
    return { value, label };
  });
}

/**
 * About `count` (at most `count` + 1) ticks covering [lo, hi] (epoch ms): the smallest natural step
 * that keeps them that few.
 */
export function timeTicks(lo: number, hi: number, count = 6): TimeTick[] {
  if (!(hi > lo)) return [{ value: lo, label: new Date(lo).toISOString().slice(0, 16).replace('T', ' ') }];
  const step = STEPS.find((s) => (hi - lo) / lengthOf(s) <= count) ?? STEPS.at(-1)!;
  const values = step.ms !== undefined ? fixedTicks(lo, hi, step.ms) : monthTicks(lo, hi, step.months);
  return labelled(values, step);
}
