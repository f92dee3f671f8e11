import type { DecisionRow, TradeRow } from '../journal/index.js';

/** One side of a comparison: a journal's rows (LIVE, or a backtest). */
export interface EqSide {
  readonly name: string;
  readonly decisions: readonly (DecisionRow & { line?: number })[];
  readonly trades: readonly (TradeRow & { line?: number })[];
}

/** Where two sides first differ. */
export interface Mismatch {
  /** ts_ms for decisions, the trade index (from 0, in the compared window) for trades. */
  readonly at: number;
  readonly live: string;
  readonly bt: string;
  /** What the difference is most likely about, from the input hashes. */
  readonly verdict: string;
}

export interface LayerResult {
  readonly pass: boolean;
  readonly compared: number;
  readonly mismatch: Mismatch | null;
}

/** The outcome of an equivalence check. */
export interface EqResult {
  readonly overall: boolean;
  readonly decisions: LayerResult;
  readonly trades: LayerResult;
  /** The overlapping window of the two decision journals, or null when they do not overlap. */
  readonly window: { readonly start: number; readonly end: number } | null;
  /** First bar both sides enter flat, where the comparison starts (the runbooks' "sync at flat"). */
  readonly syncTs: number | null;
  /** Net PnL of the compared trades: reported, never a reason to fail (fills may differ by design). */
  readonly pnl: { readonly live: number; readonly bt: number };
}

const describeDecision = (r: DecisionRow | undefined) =>
  r === undefined
    ? '(no row)'
    : `ts_ms=${r.ts_ms} ${r.action}/${r.reason} position=${r.position} close=${r.close} input_hash=${r.input_hash || '-'}`;

const describeTrade = (t: TradeRow | undefined) =>
  t === undefined
    ? '(no trade)'
    : `entry_ts_ms=${t.entry_ts_ms} exit_ts_ms=${t.exit_ts_ms} ${t.side} ${t.exit_reason} entry=${t.entry_price} exit=${t.exit_price} pnl=${t.pnl}`;

/** Why two decisions for one bar differ, judged from what each side saw. */
function verdict(live: DecisionRow | undefined, bt: DecisionRow | undefined): string {
  if (live === undefined || bt === undefined)
    return 'one side has no decision for this bar: the journals do not cover the same bars';
  if (live.input_hash === '' || bt.input_hash === '')
    return 'one side had no bar here (missing, or a host skip): different inputs';
  if (live.input_hash !== bt.input_hash)
    return 'the input hashes differ: the two sides saw different bars (different data, not different logic)';
  return 'same bar on both sides: the decision logic or the state before it differs';
}

/** Index of the first row with ts_ms >= `ts` (rows strictly increasing, as journals are). */
function firstFrom(rows: readonly DecisionRow[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.ts_ms < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The bar both sides enter flat: before a side's first row it is flat (a fresh start never holds). */
function syncAtFlat(
  live: readonly DecisionRow[],
  bt: readonly DecisionRow[],
  start: number,
  end: number,
): number | null {
  // Walk both journals together over the bars they share.
  let i = firstFrom(live, start);
  let j = firstFrom(bt, start);
  while (i < live.length && j < bt.length) {
    const ts = live[i]!.ts_ms;
    if (ts > end) return null;
    const other = bt[j]!.ts_ms;
    if (ts < other) i++;
    else if (ts > other) j++;
    else {
      const liveFlat = i === 0 || live[i - 1]!.position === 'flat';
      const btFlat = j === 0 || bt[j - 1]!.position === 'flat';
      if (liveFlat && btFlat) return ts;
      i++;
      j++;
    }
  }
  return null;
}

/** The first bar in [from, end] where the two journals differ (a row missing on one side included). */
function firstDecisionMismatch(
  live: readonly DecisionRow[],
  bt: readonly DecisionRow[],
  from: number,
  end: number,
): { mismatch: Mismatch | null; compared: number } {
  let i = firstFrom(live, from);
  let j = firstFrom(bt, from);
  let compared = 0;
  for (;;) {
    const l = i < live.length && live[i]!.ts_ms <= end ? live[i] : undefined;
    const b = j < bt.length && bt[j]!.ts_ms <= end ? bt[j] : undefined;
    if (l === undefined && b === undefined) return { mismatch: null, compared };
    compared++;
    if (l !== undefined && b !== undefined && l.ts_ms === b.ts_ms) {
      if (l.action !== b.action || l.reason !== b.reason || l.position !== b.position)
        return {
          mismatch: {
            at: l.ts_ms,
            live: describeDecision(l),
            bt: describeDecision(b),
            verdict: verdict(l, b),
          },
          compared,
        };
      i++;
      j++;
      continue;
    }
    // A bar only one side decided: the earlier of the two rows.
    const liveFirst = b === undefined || (l !== undefined && l.ts_ms < b.ts_ms);
    const at = liveFirst ? l!.ts_ms : b!.ts_ms;
    const mismatch = {
      at,
      live: describeDecision(liveFirst ? l : undefined),
      bt: describeDecision(liveFirst ? undefined : b),
      verdict: verdict(liveFirst ? l : undefined, liveFirst ? undefined : b),
    };
    return { mismatch, compared };
  }
}

const noLayer = (mismatch: Mismatch | null): LayerResult => ({ pass: false, compared: 0, mismatch });

/** A FAIL before any bar could be compared (an empty journal, no overlap). */
function nothingToCompare(mismatch: Mismatch): EqResult {
  return {
    overall: false,
    decisions: noLayer(mismatch),
    trades: noLayer(null),
    window: null,
    syncTs: null,
    pnl: { live: 0, bt: 0 },
  };
}

/**
 * LIVE vs BACKTEST over their overlapping window, from the first bar both enter flat: every decision
 * (action, reason, position after) and every trade's lifecycle (entry, exit, side, exit reason) must
 * match. Prices and PnL are reported, never compared: a backtest may model fills differently.
 */
export function compareRuns(live: EqSide, bt: EqSide): EqResult {
  if (live.decisions.length === 0 || bt.decisions.length === 0) {
    const message = `${live.decisions.length === 0 ? live.name : bt.name} has no decisions`;
    return nothingToCompare({ at: Number.NaN, live: message, bt: '', verdict: 'nothing to compare' });
  }
  const start = Math.max(live.decisions[0]!.ts_ms, bt.decisions[0]!.ts_ms);
  const end = Math.min(live.decisions.at(-1)!.ts_ms, bt.decisions.at(-1)!.ts_ms);
  if (end < start) {
    return nothingToCompare({
      at: Number.NaN,
      live: `LIVE covers ${live.decisions[0]!.ts_ms}..${live.decisions.at(-1)!.ts_ms}`,
      bt: `BT covers ${bt.decisions[0]!.ts_ms}..${bt.decisions.at(-1)!.ts_ms}`,
      verdict: 'the journals do not overlap',
    });
  }
  const window = { start, end };
  const syncTs = syncAtFlat(live.decisions, bt.decisions, start, end);
  if (syncTs === null) {
    const m: Mismatch = {
      at: start,
      live: 'never flat where BT is flat',
      bt: '',
      verdict: 'no bar in the overlap where both sides are flat: cannot sync',
    };
    return {
      overall: false,
      decisions: noLayer(m),
      trades: noLayer(null),
      window,
      syncTs,
      pnl: { live: 0, bt: 0 },
    };
  }

  // Decisions: every bar in [sync, end] must be decided on both sides, the same way.
  const decided = firstDecisionMismatch(live.decisions, bt.decisions, syncTs, end);
  const decisionMismatch = decided.mismatch;

  // Trades: the lifecycle of those opened from the sync bar and closed by the end of the window.
  const inWindow = (t: TradeRow) => t.entry_ts_ms >= syncTs && t.exit_ts_ms <= end;
  const liveTrades = live.trades.filter(inWindow);
  const btTrades = bt.trades.filter(inWindow);
  let tradeMismatch: Mismatch | null = null;
  for (let i = 0; i < Math.max(liveTrades.length, btTrades.length); i++) {
    const l = liveTrades[i];
    const b = btTrades[i];
    if (
      l !== undefined &&
      b !== undefined &&
      l.entry_ts_ms === b.entry_ts_ms &&
      l.exit_ts_ms === b.exit_ts_ms &&
      l.side === b.side &&
      l.exit_reason === b.exit_reason
    ) {
      continue;
    }
    const lengths =
      liveTrades.length === btTrades.length
        ? ''
        : ` (LIVE ${liveTrades.length} trades, BT ${btTrades.length})`;
    tradeMismatch = {
      at: i,
      live: describeTrade(l),
      bt: describeTrade(b),
      verdict: `trade lifecycles differ${lengths}`,
    };
    break;
  }
  const pnl = {
    live: liveTrades.reduce((sum, t) => sum + t.pnl, 0),
    bt: btTrades.reduce((sum, t) => sum + t.pnl, 0),
  };
  const decisions = {
    pass: decisionMismatch === null,
    compared: decided.compared,
    mismatch: decisionMismatch,
  };
  const trades = {
    pass: tradeMismatch === null,
    compared: Math.max(liveTrades.length, btTrades.length),
    mismatch: tradeMismatch,
  };
  return { overall: decisions.pass && trades.pass, decisions, trades, window, syncTs, pnl };
}
