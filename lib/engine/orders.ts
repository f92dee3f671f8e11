import { applyRules, type Bar } from '../market/index.js';
import { entryRefusal } from '../risk/index.js';
import type { Strategy } from '../strategy/index.js';
import type { EngineContext } from './advance.js';
import { Book } from './book.js';
import { ACTION_CODE, REASON_CODE, REASONS, type Side } from './decision.js';
import type { EngineSpec } from './spec.js';
import { type EngineState, PENDING_ENTER, PENDING_EXIT, PENDING_NONE, PENDING_REVERSE } from './state.js';
import type { StepLog } from './step-log.js';

const A = ACTION_CODE;
const R = REASON_CODE;

type ExitReason = 'exit_signal' | 'stop_hit' | 'kill_switch_flatten' | 'reverse_signal';

/** An action and a reason in one number (action * 256 + reason): how decision paths return them and StepLog keeps them. */
export function decisionCode(action: number, reason: number): number {
  return action * 256 + reason;
}

/**
 * The engine's trading paths, taken on the few bars that act: entries, exits, reversals, stops,
 * next-open fills and trailing. Fills and trade events go to the log's current row.
 */
export class Orders {
  private readonly strategy: Strategy;
  private readonly book: Book;
  private readonly nextOpen: boolean;

  constructor(private readonly spec: EngineSpec) {
    this.strategy = spec.strategy;
    this.book = new Book(spec);
    this.nextOpen = spec.fill.model === 'next_open';
  }

  /** A flat position and an entry signal: enter, unless a risk limit refuses. */
  tryEntry(state: EngineState, bar: Bar, context: EngineContext, side: 1 | -1, log: StepLog): number {
    const refusal = this.refusal(state, bar, context, 1);
    if (refusal !== null) return decisionCode(A.hold, R[refusal]);
    this.enter(state, bar, side, log);
    return decisionCode(side === 1 ? A.enter_long : A.enter_short, R.entry_signal);
  }

  /** The kill switch's flatten: close the open position at this bar. */
  flatten(state: EngineState, bar: Bar, log: StepLog): number {
    const side = state.position.side;
    this.exit(state, bar, 'kill_switch_flatten', log);
    return decisionCode(side === 1 ? A.exit_long : A.exit_short, R.kill_switch_flatten);
  }

  /** The strategy wants out: reverse when it also signals the other side (and may), else exit. */
  exitOrReverse(state: EngineState, bar: Bar, context: EngineContext, side: 1 | -1, log: StepLog): number {
    const reverseSide = -side as 1 | -1;
    const wantsReverse =
      this.strategy.entry(state.features) === reverseSide && (reverseSide === 1 || this.strategy.allowShort);
    const refusal = wantsReverse ? this.refusal(state, bar, context, 2) : null;
    if (wantsReverse && refusal === null) {
      this.reverse(state, bar, reverseSide, log);
      return decisionCode(reverseSide === 1 ? A.reverse_to_long : A.reverse_to_short, R.reverse_signal);
    }
    this.exit(state, bar, 'exit_signal', log);
    return decisionCode(
      side === 1 ? A.exit_long : A.exit_short,
      refusal === null ? R.exit_signal : R[refusal],
    );
  }

  /** Closes the position whose stop this bar reached; returns the side stopped out. */
  stopOut(state: EngineState, open: number, ts: number, log: StepLog): Side {
    const side = state.position.side;
    const stop = state.position.stop;
    const through = side === 1 ? open <= stop : open >= stop;
    const price = this.spec.fill.stopThrough && through ? open : stop;
    log.fill[log.row] = this.book.close(state, price, ts, 'stop_hit', log);
    return side;
  }

  /** Fills the order decided at the previous bar's close at this bar's open. */
  fillPending(state: EngineState, open: number, log: StepLog): void {
    const pending = state.pending;
    if (pending.kind === PENDING_EXIT || pending.kind === PENDING_REVERSE) {
      if (state.position.side !== 0) {
        const reason = REASONS[pending.exitReason] as ExitReason;
        this.book.close(state, open, pending.decisionTs, reason, log);
      }
    }
    if (pending.kind === PENDING_ENTER || pending.kind === PENDING_REVERSE) {
      this.book.open(
        state,
        pending.side as 1 | -1,
        pending.qty,
        open,
        pending.stopDistance,
        pending.decisionTs,
        log,
      );
    }
    this.setPending(state, PENDING_NONE, 0, Number.NaN, 0, Number.NaN, 0);
  }

  /** Tightens a trailing stop after a held bar (never loosens it). */
  trail(state: EngineState, bar: Bar): void {
    const position = state.position;
    if (this.strategy.trail === undefined) return;
    const next = this.strategy.trail(state.features, position.side as 1 | -1, position.stop, bar);
    position.stop = position.side === 1 ? Math.max(position.stop, next) : Math.min(position.stop, next);
  }

  /** Why an entry must not be placed: the kill switch, a risk limit, then the market's minimums. */
  private refusal(state: EngineState, bar: Bar, context: EngineContext, ordersNeeded: number) {
    const qty = this.book.entryQty(state, bar.close);
    const risk = entryRefusal(
      {
        killSwitch: context.killSwitch,
        dayPnl: this.book.dayPnl(state, bar.ts) + this.book.unrealized(state, bar.close),
        notional: qty * bar.close,
        ordersInLastMinute: this.book.ordersInLastMinute(state, bar.ts),
        ordersNeeded,
      },
      this.spec.risk,
    );
    const rules = this.spec.marketRules;
    return risk ?? (rules === undefined ? null : applyRules(qty, bar.close, rules).refusal);
  }

  private enter(state: EngineState, bar: Bar, side: 1 | -1, log: StepLog): void {
    const qty = this.book.entryQty(state, bar.close);
    const distance = this.strategy.stopDistance(state.features, bar.close);
    if (this.nextOpen) {
      this.setPending(state, PENDING_ENTER, side, bar.ts, qty, distance, 0);
      return;
    }
    log.fill[log.row] = this.book.open(state, side, qty, bar.close, distance, bar.ts, log);
  }

  private exit(state: EngineState, bar: Bar, reason: ExitReason, log: StepLog): void {
    if (this.nextOpen) {
      this.setPending(state, PENDING_EXIT, 0, bar.ts, 0, Number.NaN, R[reason]);
      return;
    }
    log.fill[log.row] = this.book.close(state, bar.close, bar.ts, reason, log);
  }

  private reverse(state: EngineState, bar: Bar, side: 1 | -1, log: StepLog): void {
    if (this.nextOpen) {
      const qty = this.book.entryQty(state, bar.close);
      const distance = this.strategy.stopDistance(state.features, bar.close);
      this.setPending(state, PENDING_REVERSE, side, bar.ts, qty, distance, R.reverse_signal);
      return;
    }
    this.book.close(state, bar.close, bar.ts, 'reverse_signal', log);
    this.enter(state, bar, side, log);
  }

  private setPending(
    state: EngineState,
    kind: number,
    side: Side,
    ts: number,
    qty: number,
    distance: number,
    reason: number,
  ): void {
    const pending = state.pending;
    pending.kind = kind;
    pending.side = side;
    pending.decisionTs = ts;
    pending.qty = qty;
    pending.stopDistance = distance;
    pending.exitReason = reason;
  }
}
