import type { Trade } from '../engine/index.js';
import {
  type ByteSink,
  MAX_NUMBER_BYTES,
  putIntegerCell,
  putNumberCell,
  putText,
  putWords,
  Words,
} from './byte-sink.js';
import type { JournalStream } from './decisions.js';
import { formatNumber } from './values.js';

const COMMA = 44;
const NEWLINE = 10;

/** trades.csv columns (docs/contracts.md). */
export const TRADE_COLUMNS = [
  'exchange',
  'symbol',
  'timeframe',
  'entry_ts_ms',
  'exit_ts_ms',
  'side',
  'entry_price',
  'exit_price',
  'qty',
  'exit_reason',
  'pnl',
  'fees',
] as const;

/** One trades.csv row. */
export interface TradeRow {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly entry_ts_ms: number;
  readonly exit_ts_ms: number;
  readonly side: 'long' | 'short';
  readonly entry_price: number;
  readonly exit_price: number;
  readonly qty: number;
  readonly exit_reason: Trade['exit_reason'];
  readonly pnl: number;
  readonly fees: number;
}

/** A closed trade as a row. */
export function tradeRow(stream: JournalStream, trade: Trade): TradeRow {
  return {
    ...stream,
    entry_ts_ms: trade.entry_ts_ms,
    exit_ts_ms: trade.exit_ts_ms,
    side: trade.side === 1 ? 'long' : 'short',
    entry_price: trade.entry_price,
    exit_price: trade.exit_price,
    qty: trade.qty,
    exit_reason: trade.exit_reason,
    pnl: trade.pnl,
    fees: trade.fees,
  };
}

/**
 * Closed trades' trades.csv lines written straight into bytes, exactly as `tradeCells` of their rows
 * joined: a backtest writes tens of thousands, and as template strings they cost more than deciding
 * a million bars (seven numbers each turned into strings, the strings joined, then copied out).
 */
export class TradeLines {
  private readonly prefix: Words;
  private readonly labels = new Map<string, Words>();
  private readonly cells = new Float64Array(1);

  constructor(stream: JournalStream) {
    this.prefix = Words.of(`${stream.exchange},${stream.symbol},${stream.timeframe},`);
  }

  /** Appends the line of `trade`, newline included. */
  write(sink: ByteSink, trade: Trade): void {
    const side = trade.side === 1 ? 'long' : 'short';
    let label = this.labels.get(trade.exit_reason);
    if (label === undefined) {
      label = Words.of(`,${trade.exit_reason},`);
      this.labels.set(trade.exit_reason, label);
    }
    const view = sink.reserve(this.prefix.length + label.length + 7 * MAX_NUMBER_BYTES + 16);
    let at = putWords(view, sink.length, this.prefix);
    at = this.integer(view, at, trade.entry_ts_ms);
    view.setUint8(at++, COMMA);
    at = this.integer(view, at, trade.exit_ts_ms);
    view.setUint8(at++, COMMA);
    at = putText(view, at, side);
    view.setUint8(at++, COMMA);
    at = this.number(view, at, trade.entry_price);
    view.setUint8(at++, COMMA);
    at = this.number(view, at, trade.exit_price);
    view.setUint8(at++, COMMA);
    at = this.number(view, at, trade.qty);
    at = putWords(view, at, label);
    at = this.number(view, at, trade.pnl);
    view.setUint8(at++, COMMA);
    at = this.number(view, at, trade.fees);
    view.setUint8(at++, NEWLINE);
    sink.length = at;
  }

  private number(view: DataView, at: number, x: number): number {
    this.cells[0] = x;
    return putNumberCell(view, at, this.cells, 0);
  }

  /** A close time as String writes it (putInteger's digits for what it covers). */
  private integer(view: DataView, at: number, x: number): number {
    if (!(Number.isSafeInteger(x) && x >= 0)) return putText(view, at, String(x));
    this.cells[0] = x;
    return putIntegerCell(view, at, this.cells, 0);
  }
}

/** A trade row's cells, in column order (the one formatting of trades.csv). */
export function tradeCells(row: TradeRow): string[] {
  return [
    row.exchange,
    row.symbol,
    row.timeframe,
    String(row.entry_ts_ms),
    String(row.exit_ts_ms),
    row.side,
    formatNumber(row.entry_price),
    formatNumber(row.exit_price),
    formatNumber(row.qty),
    row.exit_reason,
    formatNumber(row.pnl),
    formatNumber(row.fees),
  ];
}
