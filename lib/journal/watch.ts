import { MjolnirError } from '../core/index.js';
import { type TimeframeLabel, timeframe } from '../time/index.js';
import { DecisionFold } from './fold.js';
import type { RunRefresh } from './run.js';
import { DECISION_COLUMNS, type DecisionRow, TRADE_COLUMNS, type TradeRow } from './schema.js';
import { DecisionTable, type LineSource } from './table.js';
import { JournalTail } from './tail.js';
import { TradeTable } from './trade-table.js';

/** Rows, trades and equity points a watch keeps (the newest). */
const KEEP_ROWS = 64;
const KEEP_TRADES = 32;
const KEEP_EQUITY = 512;

/** The cells of a line of one piece of text read from a journal. */
function pieceSource(text: string, base: number): LineSource {
  return {
    fields: (offset) => {
      const start = offset - base;
      return text.slice(start, text.indexOf('\n', start)).split(',');
    },
  };
}

/** Closed trades at a glance, folded as they are read. */
export interface TradeTotals {
  readonly count: number;
  readonly wins: number;
  readonly pnl: number;
  readonly fees: number;
}

/** Lines of a journal that do not read as decisions: left out, counted, the last one told. */
export interface BadLines {
  readonly count: number;
  /** The newest bad line: its 1-based number in the file and what is wrong with it. */
  readonly last: { readonly line: number; readonly why: string };
}

/** What a watch shows of a run. */
export interface WatchSnapshot {
  readonly exists: boolean;
  readonly fold: Readonly<DecisionFold>;
  /** The newest decisions, oldest first (at most 64). */
  readonly recent: readonly (DecisionRow & { line: number })[];
  /** The newest closed trades, oldest first (at most 32), and the totals of all of them. */
  readonly trades: readonly TradeRow[];
  readonly tradeTotals: TradeTotals;
  /** Equity at the newest decisions with a price, oldest first (at most 512). */
  readonly equityTail: readonly number[];
  /** While a long journal is still being read (over several refreshes): bytes read and its size. */
  readonly catchingUp: { readonly read: number; readonly size: number } | null;
  /** Lines that do not read as decisions (a damaged journal), or null. */
  readonly badLines: BadLines | null;
  /** The last piece of trades.csv that did not read (its trades left out), or null. */
  readonly badTrades: string | null;
}

/**
 * A run followed with bounded memory, for the dashboard: the journals are taken in from byte offsets
 * piece by piece, each piece parsed by the read side, folded into the summary and dropped; only the
 * newest rows, trades and equity points are kept. A 10M-row journal costs what a 1k-row one does
 * once it is read. Files that do not exist yet read as empty; a truncated or replaced one is read
 * again from the start. It never writes.
 */
export class RunWatch {
  private readonly decisionTail: JournalTail;
  private readonly tradeTail: JournalTail;
  private readonly barMs: number;
  private fold: DecisionFold;
  private recent: (DecisionRow & { line: number })[] = [];
  private trades: TradeRow[] = [];
  private totals: TradeTotals = { count: 0, wins: 0, pnl: 0, fees: 0 };
  private equity: number[] = [];
  private pending = 0;
  /** Lines of the decisions file taken in (rows and bad lines; the header not counted). */
  private lines = 0;
  private bad: BadLines | null = null;
  private badTrades: string | null = null;

  constructor(
    readonly decisionsPath: string,
    readonly tradesPath: string,
    tf: TimeframeLabel,
  ) {
    this.barMs = timeframe(tf).ms;
    this.fold = new DecisionFold(this.barMs);
    this.decisionTail = new JournalTail(decisionsPath, DECISION_COLUMNS);
    this.tradeTail = new JournalTail(tradesPath, TRADE_COLUMNS);
  }

  /**
   * Takes in what the journals gained since the last refresh, up to `maxBytes` of decisions (the rest
   * at the next refresh: a dashboard stays responsive while it reads a long journal the first time).
   */
  refresh(maxBytes = Number.POSITIVE_INFINITY): RunRefresh {
    let decisions = 0;
    let trades = 0;
    const d = this.decisionTail.read(
      (text, offset) => {
        decisions += this.takeDecisions(text, offset);
      },
      () => {
        this.fold = new DecisionFold(this.barMs);
        this.recent = [];
        this.equity = [];
        this.lines = 0;
        this.bad = null;
      },
      maxBytes,
    );
    this.pending = d.pending;
    const t = this.tradeTail.read(
      (text) => {
        trades += this.takeTrades(text);
      },
      () => {
        this.trades = [];
        this.totals = { count: 0, wins: 0, pnl: 0, fees: 0 };
      },
    );
    return { decisions, trades, reset: d.reset || t.reset };
  }

  private takeDecisions(text: string, offset: number): number {
    const table = new DecisionTable(this.decisionsPath, pieceSource(text, offset), {
      firstLine: this.lines + 2,
    });
    // A damaged line is a finding shown with the run, never the end of the dashboard.
    table.appendLenient(text, offset, (error, line) => {
      this.bad = { count: (this.bad?.count ?? 0) + 1, last: { line, why: error.message } };
    });
    this.lines = table.lineOf(table.length) - 2;
    this.fold.add(table);
    for (let i = Math.max(0, table.length - KEEP_ROWS); i < table.length; i++) this.recent.push(table.row(i));
    if (this.recent.length > KEEP_ROWS) this.recent = this.recent.slice(-KEEP_ROWS);
    const from = Math.max(0, table.length - KEEP_EQUITY);
    for (let i = from; i < table.length; i++) {
      const equity = table.equity.get(i);
      if (!Number.isNaN(equity)) this.equity.push(equity);
    }
    if (this.equity.length > KEEP_EQUITY) this.equity = this.equity.slice(-KEEP_EQUITY);
    return table.length;
  }

  private takeTrades(text: string): number {
    const table = new TradeTable(this.tradesPath);
    try {
      table.append(text);
    } catch (error) {
      if (!(error instanceof MjolnirError) || error.category === 'invariant') throw error;
      this.badTrades = error.message;
      return 0;
    }
    let { count, wins, pnl, fees } = this.totals;
    for (const trade of table.rows) {
      count++;
      if (trade.pnl > 0) wins++;
      pnl += trade.pnl;
      fees += trade.fees;
    }
    this.totals = { count, wins, pnl, fees };
    this.trades = [...this.trades, ...table.rows.slice(-KEEP_TRADES)].slice(-KEEP_TRADES);
    return table.length;
  }

  snapshot(): WatchSnapshot {
    return {
      exists: this.decisionTail.exists,
      fold: this.fold,
      recent: this.recent,
      trades: this.trades,
      tradeTotals: this.totals,
      equityTail: this.equity,
      catchingUp:
        this.pending > 0
          ? { read: this.decisionTail.position, size: this.decisionTail.position + this.pending }
          : null,
      badLines: this.bad,
      badTrades: this.badTrades,
    };
  }
}
