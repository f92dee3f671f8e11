import type { Trade } from '../engine/index.js';
import { Batch } from './batch.js';
import type { JournalStream } from './decisions.js';
import { TRADES } from './row-codec.js';
import { type TRADE_SCHEMA, TRADE_SIDES, type TradeRow } from './schema.js';

/** A closed trade as a row. */
export function tradeRow(stream: JournalStream, trade: Trade): TradeRow {
  return {
    exchange: stream.exchange,
    symbol: stream.symbol,
    timeframe: stream.timeframe,
    entry_ts_ms: trade.entry_ts_ms,
    exit_ts_ms: trade.exit_ts_ms,
    side: TRADE_SIDES[(1 - trade.side) / 2]!,
    entry_price: trade.entry_price,
    exit_price: trade.exit_price,
    qty: trade.qty,
    exit_reason: trade.exit_reason,
    pnl: trade.pnl,
    fees: trade.fees,
  };
}

/** Closed trades of one stream gathered in lanes, written by `encodeBatch` (a backtest's trades.csv). */
export class TradeBatch extends Batch<typeof TRADE_SCHEMA> {
  constructor(
    private readonly stream: JournalStream,
    capacity = 1024,
  ) {
    super(
      TRADES,
      { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe },
      capacity,
    );
  }

  add(trade: Trade): void {
    this.push(tradeRow(this.stream, trade));
  }
}
