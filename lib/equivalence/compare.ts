import { type DecisionRow, DecisionTable, POSITION_CODE, type TradeRow } from '../journal/index.js';

/** One side of a comparison: a journal (LIVE, or a backtest), read as columns; or rows in memory. */
export interface EqSide {
  readonly name: string;
  readonly decisions: DecisionTable | readonly DecisionRow[];
  readonly trades: readonly (TradeRow & { line?: number })[];
}

const FLAT = POSITION_CODE.flat;

const tableOf = (side: EqSide): DecisionTable =>
  side.decisions instanceof DecisionTable
    ? side.decisions
    : DecisionTable.fromRows(side.name, side.decisions);

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

/** The bar both sides enter flat: before a side's first row it is flat (a fresh start never holds). */
function syncAtFlat(live: DecisionTable, bt: DecisionTable, start: number, end: number): number | null {
  // Walk both journals together over the bars they share.
  let i = live.firstFrom(start);
  let j = bt.firstFrom(start);
  while (i < live.length && j < bt.length) {
    const ts = live.ts.get(i);
    if (ts > end) return null;
    const other = bt.ts.get(j);
    if (ts < other) i++;
    else if (ts > other) j++;
    else {
      const liveFlat = i === 0 || live.position.get(i - 1) === FLAT;
      const btFlat = j === 0 || bt.position.get(j - 1) === FLAT;
      if (liveFlat && btFlat) return ts;
      i++;
      j++;
    }
  }
  return null;
}

/** The first bar in [from, end] where the two journals differ (a row missing on one side included). */
function firstDecisionMismatch(
  live: DecisionTable,
  bt: DecisionTable,
  from: number,
  end: number,
): { mismatch: Mismatch | null; compared: number } {
  let i = live.firstFrom(from);
  let j = bt.firstFrom(from);
  let compared = 0;
  for (;;) {
    const l = i < live.length && live.ts.get(i) <= end ? i : -1;
    const b = j < bt.length && bt.ts.get(j) <= end ? j : -1;
    if (l < 0 && b < 0) return { mismatch: null, compared };
    compared++;
    if (l >= 0 && b >= 0 && live.ts.get(l) === bt.ts.get(b)) {
      if (
        live.action.get(l) !== bt.action.get(b) ||
        live.reason.get(l) !== bt.reason.get(b) ||
        live.position.get(l) !== bt.position.get(b)
      )
        return { mismatch: mismatchOf(live.row(l), bt.row(b)), compared };
      i++;
      j++;
      continue;
    }
    // A bar only one side decided: the earlier of the two rows.
    const liveFirst = b < 0 || (l >= 0 && live.ts.get(l) < bt.ts.get(b));
    const mismatch = liveFirst ? mismatchOf(live.row(l), undefined) : mismatchOf(undefined, bt.row(b));
    return { mismatch, compared };
  }
}

function mismatchOf(live: DecisionRow | undefined, bt: DecisionRow | undefined): Mismatch {
  return {
    at: (live ?? bt)!.ts_ms,
    live: describeDecision(live),
    bt: describeDecision(bt),
    verdict: verdict(live, bt),
  };
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

/** The first trade whose lifecycle (entry, exit, side, exit reason) differs, by position; null when none does. */
function firstTradeMismatch(liveTrades: readonly TradeRow[], btTrades: readonly TradeRow[]): Mismatch | null {
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
    )
      continue;
    const lengths =
      liveTrades.length === btTrades.length
        ? ''
        : ` (LIVE ${liveTrades.length} trades, BT ${btTrades.length})`;
    return {
      at: i,
      live: describeTrade(l),
      bt: describeTrade(b),
      verdict: `trade lifecycles differ${lengths}`,
    };
  }
  return null;
}

/** Journals that overlap but are never flat together: nothing can be compared from a common start. */
function cannotSync(window: { start: number; end: number }): EqResult {
  const m: Mismatch = {
    at: window.start,
    live: 'never flat where BT is flat',
    bt: '',
    verdict: 'no bar in the overlap where both sides are flat: cannot sync',
  };
  return {
    overall: false,
    decisions: noLayer(m),
    trades: noLayer(null),
    window,
    syncTs: null,
    pnl: { live: 0, bt: 0 },
  };
}

/**
 * LIVE vs BACKTEST over their overlapping window, from the first bar both enter flat: every decision
 * (action, reason, position after) and every trade's lifecycle (entry, exit, side, exit reason) must
 * match. Prices and PnL are reported, never compared: a backtest may model fills differently.
 */
export function compareRuns(liveSide: EqSide, btSide: EqSide): EqResult {
  const live = tableOf(liveSide);
  const bt = tableOf(btSide);
  if (live.length === 0 || bt.length === 0) {
    const message = `${live.length === 0 ? liveSide.name : btSide.name} has no decisions`;
    return nothingToCompare({ at: Number.NaN, live: message, bt: '', verdict: 'nothing to compare' });
  }
  const start = Math.max(live.ts.get(0), bt.ts.get(0));
  const end = Math.min(live.lastTs, bt.lastTs);
  if (end < start) {
    return nothingToCompare({
      at: Number.NaN,
      live: `LIVE covers ${live.ts.get(0)}..${live.lastTs}`,
      bt: `BT covers ${bt.ts.get(0)}..${bt.lastTs}`,
      verdict: 'the journals do not overlap',
    });
  }
  const window = { start, end };
  const syncTs = syncAtFlat(live, bt, start, end);
  if (syncTs === null) return cannotSync(window);

  // Decisions: every bar in [sync, end] must be decided on both sides, the same way.
  const decided = firstDecisionMismatch(live, bt, syncTs, end);
  const decisionMismatch = decided.mismatch;

  // Trades: the lifecycle of those opened from the sync bar and closed by the end of the window.
  const inWindow = (t: TradeRow) => t.entry_ts_ms >= syncTs && t.exit_ts_ms <= end;
  const liveTrades = liveSide.trades.filter(inWindow);
  const btTrades = btSide.trades.filter(inWindow);
  const tradeMismatch = firstTradeMismatch(liveTrades, btTrades);
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
