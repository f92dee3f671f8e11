import { ACTIONS, REASONS } from '../engine/index.js';
import { POSITION_CODE } from './schema.js';
import type { DecisionTable } from './table.js';

const DAY_MS = 86_400_000;
const FLAT = POSITION_CODE.flat;
/** Actions that open a position (their fill is the entry). */
const OPENS = new Set(
  ['enter_long', 'enter_short', 'reverse_to_long', 'reverse_to_short'].map((a) =>
    ACTIONS.indexOf(a as (typeof ACTIONS)[number]),
  ),
);

/**
 * The running summary of a decisions journal, folded row by row as it is read (O(1) memory): counts
 * by action/reason, cadence gaps, equity with its peak and drawdown, and the equity the current UTC
 * day opened with. RunView (whole tables) and RunWatch (bounded, the dashboard) both fold with it.
 */
export class DecisionFold {
  private readonly counts = new Map<number, number>();
  decisions = 0;
  firstTs: number | null = null;
  lastTs = Number.NEGATIVE_INFINITY;
  /** Steps between consecutive decisions that are not one bar. */
  gaps = 0;
  /** Equity at the last decision with a price, and its peak so far. */
  equity = Number.NaN;
  peak = Number.NEGATIVE_INFINITY;
  maxDrawdownFraction = 0;
  /** Equity at the first decision with a price (the run's capital). */
  firstEquity = Number.NaN;
  /** The open position's entry (close time and fill price), or null when flat. */
  entry: { readonly ts: number; readonly price: number } | null = null;
  /** Equity when the last decision's UTC day began (the first of the day when the journal began that day). */
  dayOpenEquity = Number.NaN;
  private day = Number.NaN;

  constructor(private readonly barMs: number) {}

  /** Folds rows [from, length) of `t`. */
  add(t: DecisionTable, from = 0): void {
    for (let i = from; i < t.length; i++) {
      const ts = t.ts.get(i);
      const key = t.action.get(i) * REASONS.length + t.reason.get(i);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      if (this.decisions > 0 && ts - this.lastTs !== this.barMs) this.gaps++;
      if (this.firstTs === null) this.firstTs = ts;
      this.decisions++;
      this.lastTs = ts;
      this.equityAt(ts, t.equity.get(i));
      this.positionAt(t, i);
    }
  }

  private positionAt(t: DecisionTable, i: number): void {
    if (t.position.get(i) === FLAT) this.entry = null;
    else if (OPENS.has(t.action.get(i))) this.entry = { ts: t.ts.get(i), price: t.fill.get(i) };
  }

  private equityAt(ts: number, equity: number): void {
    const day = Math.floor((ts - 1) / DAY_MS);
    if (day !== this.day) {
      // A bar closing at midnight belongs to the day it ends.
      this.dayOpenEquity = this.equity;
      this.day = day;
    }
    if (Number.isNaN(equity)) return;
    if (Number.isNaN(this.dayOpenEquity)) this.dayOpenEquity = equity;
    if (Number.isNaN(this.firstEquity)) this.firstEquity = equity;
    this.equity = equity;
    if (equity > this.peak) this.peak = equity;
    if (this.peak > 0)
      this.maxDrawdownFraction = Math.max(this.maxDrawdownFraction, (this.peak - equity) / this.peak);
  }

  /** Decisions by `action/reason`. */
  byReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, count] of this.counts)
      out[`${ACTIONS[Math.floor(key / REASONS.length)]}/${REASONS[key % REASONS.length]}`] = count;
    return out;
  }
}
