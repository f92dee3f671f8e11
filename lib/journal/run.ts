import { type TradeStats, tradeStats } from '../metrics/index.js';
import { type TimeframeLabel, timeframe } from '../time/index.js';
import { DecisionFold } from './fold.js';
import { DataLayout } from './layout.js';
import { DECISION_COLUMNS, type DecisionRow, TRADE_COLUMNS } from './schema.js';
import { DecisionTable } from './table.js';
import { JournalTail } from './tail.js';
import { TradeTable } from './trade-table.js';

/** What a refresh of a run took in. */
export interface RunRefresh {
  readonly decisions: number;
  readonly trades: number;
  /** A journal was truncated or replaced: the run was read again from the start. */
  readonly reset: boolean;
}

/** A run at a glance, kept up to date as rows come in (no pass over the journal). */
export interface RunSummary {
  readonly decisions: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
  readonly last: (DecisionRow & { line: number }) | null;
  /** Decisions by `action/reason`. */
  readonly byReason: Readonly<Record<string, number>>;
  /** Steps between consecutive decisions that are not one bar (should be 0: one row per bar). */
  readonly cadenceGaps: number;
  /** Equity at the last decision with a price, its peak so far, and the drawdown from that peak. */
  readonly equity: number;
  readonly maxDrawdownFraction: number;
  readonly trades: TradeStats;
}

/**
 * One stream's run read from its journals (`openRun(dataRoot, tag, symbol, timeframe)`): decisions as
 * typed columns and trades as rows, taken in from byte offsets as the files grow (`refresh`), with a
 * summary kept up to date. Journals that do not exist yet read as empty; a truncated or replaced one
 * is read again. It never writes. What eq, the CLI summaries, health, the dashboard and notebooks
 * read journals with.
 */
export class RunView {
  decisions: DecisionTable;
  trades: TradeTable;
  private readonly decisionTail: JournalTail;
  private readonly tradeTail: JournalTail;
  private readonly barMs: number;
  private fold: DecisionFold;

  constructor(
    readonly decisionsPath: string,
    readonly tradesPath: string,
    tf: TimeframeLabel,
    private readonly capital: number,
  ) {
    this.barMs = timeframe(tf).ms;
    this.fold = new DecisionFold(this.barMs);
    this.decisionTail = new JournalTail(decisionsPath, DECISION_COLUMNS);
    this.tradeTail = new JournalTail(tradesPath, TRADE_COLUMNS);
    this.decisions = new DecisionTable(decisionsPath, this.decisionTail);
    this.trades = new TradeTable(tradesPath);
  }

  /** Whether the decisions journal exists (a stream not started yet has none). */
  get exists(): boolean {
    return this.decisionTail.exists;
  }

  /** Takes in what the journals gained since the last refresh. */
  refresh(): RunRefresh {
    const before = this.decisions.length;
    const tradesBefore = this.trades.length;
    const decisions = this.decisionTail.read(
      (text, offset) => this.decisions.append(text, offset),
      () => this.restartDecisions(),
    );
    this.fold.add(this.decisions, decisions.reset ? 0 : before);
    const trades = this.tradeTail.read(
      (text) => this.trades.append(text),
      () => {
        this.trades = new TradeTable(this.tradesPath);
      },
    );
    return {
      decisions: this.decisions.length - (decisions.reset ? 0 : before),
      trades: this.trades.length - (trades.reset ? 0 : tradesBefore),
      reset: decisions.reset || trades.reset,
    };
  }

  private restartDecisions(): void {
    this.decisions = new DecisionTable(this.decisionsPath, this.decisionTail);
    this.fold = new DecisionFold(this.barMs);
  }

  summary(): RunSummary {
    const t = this.decisions;
    return {
      decisions: t.length,
      firstTs: t.length === 0 ? null : t.ts.get(0),
      lastTs: t.length === 0 ? null : t.lastTs,
      last: t.length === 0 ? null : t.row(t.length - 1),
      byReason: this.fold.byReason(),
      cadenceGaps: this.fold.gaps,
      equity: this.fold.equity,
      maxDrawdownFraction: this.fold.maxDrawdownFraction,
      trades: tradeStats(this.trades.rows, this.capital),
    };
  }
}

/**
 * The run of a stream under a data root: `processed/decisions|trades/<tag>/<SYMBOL>/<tf>/`, read
 * (and refreshed) through the read side. `capital` is for the trade statistics (config `capital`).
 */
export function openRun(
  dataRoot: string,
  tag: string,
  symbol: string,
  tf: TimeframeLabel,
  capital = 10_000,
): RunView {
  const layout = new DataLayout(dataRoot);
  const run = new RunView(layout.decisions(tag, symbol, tf), layout.trades(tag, symbol, tf), tf, capital);
  run.refresh();
  return run;
}
