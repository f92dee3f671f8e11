import { amountToStep, priceToTick } from '../market/index.js';
import { DAY_MS, tsMs, utcDayStart } from '../time/index.js';
import type { EngineSpec } from './spec.js';
import type { EngineState } from './state.js';
import type { StepLog } from './step-log.js';

const MINUTE_MS = 60_000;

/**
 * Position and account bookkeeping for fills. Prices passed in are raw market prices; slippage is
 * applied here, against the trader, on every fill.
 */
export class Book {
  private readonly feeRate: number;
  private readonly slippage: number;
  private readonly trackOrders: boolean;

  constructor(private readonly spec: EngineSpec) {
    this.feeRate = spec.costs.feeBps / 10_000;
    this.slippage = spec.costs.slippageBps / 10_000;
    this.trackOrders = Number.isFinite(spec.risk.maxOrdersPerMinute);
  }

  /** Price actually paid (buy) or received (sell) for a market price. */
  fillPrice(marketPrice: number, buying: boolean): number {
    return buying ? marketPrice * (1 + this.slippage) : marketPrice * (1 - this.slippage);
  }

  /** Base quantity for a new position entered around `price`. */
  entryQty(state: EngineState, price: number): number {
    const sizing = this.spec.sizing;
    const rules = this.spec.marketRules;
    let qty: number;
    if (sizing.mode === 'fixed_quantity') qty = sizing.quantity;
    else {
      const notional =
        sizing.mode === 'fixed_notional'
          ? sizing.notional
          : (this.spec.initialCapital + state.account.realizedPnl) * sizing.fraction;
      qty = notional > 0 ? notional / price : 0;
    }
    // Cut down to the market's step, never up: the position never holds more than the venue fills.
    return rules === undefined ? qty : amountToStep(qty, rules.amountStep);
  }

  /**
   * Realised PnL of the UTC day of `ts` (the bar being decided), for the daily loss limit. The day is
   * rolled here and when a trade closes, not on every bar: only these two touch `dayPnl`.
   */
  dayPnl(state: EngineState, ts: number): number {
    this.rollDay(state, ts);
    return state.account.dayPnl;
  }

  /** Starts a new UTC day when `ts` is past the current one. */
  private rollDay(state: EngineState, ts: number): void {
    const account = state.account;
    if (ts >= account.day && ts < account.day + DAY_MS) return;
    account.day = utcDayStart(ts);
    account.dayPnl = 0;
  }

  /** Opens a position at `marketPrice`, decided at `decisionTs`, and reports the fill. */
  open(
    state: EngineState,
    side: 1 | -1,
    qty: number,
    marketPrice: number,
    stopDistance: number,
    decisionTs: number,
    log: StepLog,
  ): number {
    const price = this.fillPrice(marketPrice, side === 1);
    const fee = price * qty * this.feeRate;
    const position = state.position;
    position.side = side;
    position.qty = qty;
    position.entryPrice = price;
    position.entryTs = decisionTs;
    position.entryFee = fee;
    const stop = price - side * stopDistance;
    // A stop order's price is on the market's tick (where the venue would place it).
    const rules = this.spec.marketRules;
    position.stop = rules === undefined || !Number.isFinite(stop) ? stop : priceToTick(stop, rules.priceTick);
    state.account.feesPaid += fee;
    this.recordOrder(state, decisionTs);
    log.event({
      kind: 'open',
      decision_ts_ms: tsMs(decisionTs),
      side,
      price,
      qty,
      fee,
      stop: position.stop,
    });
    return price;
  }

  /** Closes the whole position at `marketPrice` and reports the trade. */
  close(
    state: EngineState,
    marketPrice: number,
    exitTs: number,
    reason: 'exit_signal' | 'stop_hit' | 'kill_switch_flatten' | 'reverse_signal',
    log: StepLog,
  ): number {
    const position = state.position;
    const side = position.side as 1 | -1;
    const price = this.fillPrice(marketPrice, side === -1);
    const fee = price * position.qty * this.feeRate;
    const fees = position.entryFee + fee;
    const pnl = side * (price - position.entryPrice) * position.qty - fees;
    state.account.realizedPnl += pnl;
    // Counted in the day of the bar deciding now (a next-open fill: the bar it fills at).
    this.rollDay(state, state.lastTs);
    state.account.dayPnl += pnl;
    state.account.feesPaid += fee;
    this.recordOrder(state, exitTs);
    log.event({
      kind: 'close',
      entry_ts_ms: tsMs(position.entryTs),
      exit_ts_ms: tsMs(exitTs),
      side,
      entry_price: position.entryPrice,
      exit_price: price,
      qty: position.qty,
      exit_reason: reason,
      pnl,
      fees,
    });
    position.side = 0;
    position.qty = 0;
    position.entryPrice = Number.NaN;
    position.entryTs = Number.NaN;
    position.entryFee = 0;
    position.stop = Number.NaN;
    return price;
  }

  /** Unrealised PnL of the open position at `price`, net of its entry fee. */
  unrealized(state: EngineState, price: number): number {
    const position = state.position;
    if (position.side === 0) return 0;
    return position.side * (price - position.entryPrice) * position.qty - position.entryFee;
  }

  /** Orders filled in the minute ending at `ts` (inclusive). */
  ordersInLastMinute(state: EngineState, ts: number): number {
    let count = 0;
    for (const t of state.account.orderTimes) if (t > ts - MINUTE_MS) count++;
    return count;
  }

  private recordOrder(state: EngineState, ts: number): void {
    if (!this.trackOrders) return;
    const times = state.account.orderTimes;
    times.push(ts);
    while (times.length > 0 && times[0]! <= ts - MINUTE_MS) times.shift();
  }
}
