import { MjolnirError } from '../core/errors.js';
import type { Bar } from '../market/bar.js';
import { isUsableBar } from '../market/bar.js';
import { entryRefusal } from '../risk/limits.js';
import type { Strategy } from '../strategy/types.js';
import { Book } from './book.js';
import { ACTION_CODE, type HostSkipReason, REASON_CODE, REASONS, type Side } from './decision.js';
import type { StepOutput } from './output.js';
import type { EngineSpec } from './spec.js';
import { type EngineState, PENDING_ENTER, PENDING_EXIT, PENDING_NONE, PENDING_REVERSE } from './state.js';

/** What a host passes with each bar: operator controls (the kill switch flag file) and warmup. */
export interface EngineContext {
  /** No new entries while set. */
  readonly killSwitch: boolean;
  /** With the kill switch: also close open positions at the next evaluated bar. */
  readonly flatten: boolean;
  /**
   * A warmup bar: it updates the state (features, sequencing) but is never traded on; its decision
   * is `skip / not_enough_bars`. Hosts feed the bars before their first output bar this way, so LIVE
   * and BACKTEST reach identical states from the same warmup start.
   */
  readonly warmup?: boolean;
}

/** Normal operation: no kill switch. */
export const RUNNING: EngineContext = { killSwitch: false, flatten: false };

/** A warmup bar (see EngineContext.warmup). */
export const WARMUP: EngineContext = { killSwitch: false, flatten: false, warmup: true };

const A = ACTION_CODE;
const R = REASON_CODE;

type ExitReason = 'exit_signal' | 'stop_hit' | 'kill_switch_flatten' | 'reverse_signal';

/**
 * The one decision procedure that LIVE, BACKTEST and notebooks share. `advance` mutates the state it
 * is given (hosts own their state; see `Engine.step` for the pure form) and writes into `out`.
 *
 * Per accepted bar, in order: gap accounting (empty slots become `bar_missing`), bar validation,
 * the pending next-open order, the stop, the features, then exactly one decision.
 */
export class DecisionEngine {
  private readonly strategy: Strategy;
  private readonly book: Book;
  private readonly timeframeMs: number;
  private readonly nextOpen: boolean;

  constructor(private readonly spec: EngineSpec) {
    this.strategy = spec.strategy;
    this.book = new Book(spec);
    this.timeframeMs = spec.timeframe.ms;
    this.nextOpen = spec.fill.model === 'next_open';
  }

  /** Decides one closed bar (and any empty slots before it). */
  advance(state: EngineState, bar: Bar, context: EngineContext, out: StepOutput): StepOutput {
    out.reset();
    out.ts = bar.ts;
    if (!this.acceptSlot(state, out)) return out;
    out.close = bar.close;
    if (state.validBars === 0 && Number.isNaN(state.firstTs)) state.firstTs = bar.ts;

    if (!isUsableBar(bar)) {
      state.afterGap = true;
      return this.finish(state, out, A.skip, R.bar_invalid);
    }
    if (state.pending.kind !== PENDING_NONE) this.fillPending(state, bar.open, out);
    const stopped = this.checkStop(state, bar, out);

    this.strategy.update(state.features, bar);
    state.validBars++;
    const afterGap = state.afterGap;
    state.afterGap = false;

    if (stopped !== 0) return this.finish(state, out, stopped === 1 ? A.exit_long : A.exit_short, R.stop_hit);
    if (state.validBars < this.strategy.warmupBars || context.warmup === true) {
      return this.finish(state, out, A.skip, R.not_enough_bars);
    }
    if (!this.strategy.valid(state.features)) return this.finish(state, out, A.skip, R.features_invalid);
    if (afterGap) return this.finish(state, out, A.skip, R.cadence_failed);
    return this.evaluate(state, bar, context, out);
  }

  /** Records a slot the host could not obtain or store a bar for (fetch_failed, persist_failed, bar_missing). */
  skipSlot(state: EngineState, ts: number, reason: HostSkipReason, out: StepOutput): StepOutput {
    out.reset();
    out.ts = ts;
    out.close = Number.NaN;
    if (!this.acceptSlot(state, out)) return out;
    state.afterGap = true;
    return this.finish(state, out, A.skip, R[reason]);
  }

  /** Sequencing shared by bars and host skips (the slot is `out.ts`): refuses stale slots, counts empty ones. */
  private acceptSlot(state: EngineState, out: StepOutput): boolean {
    const ts = out.ts;
    // The usual next bar costs one comparison; anything else takes the cold path.
    if (ts !== state.lastTs + this.timeframeMs) return this.acceptIrregularSlot(state, out);
    state.lastTs = ts;
    out.accepted = true;
    return true;
  }

  /** The first slot, a slot after empty ones, a stale or a misaligned one. */
  private acceptIrregularSlot(state: EngineState, out: StepOutput): boolean {
    const ts = out.ts;
    const last = state.lastTs;
    if (ts <= last) {
      out.rejection = ts === last ? 'duplicate' : 'out_of_order';
      return false;
    }
    const slots = ts / this.timeframeMs;
    if (slots !== Math.floor(slots)) {
      throw new MjolnirError(
        'invariant_violated',
        `bar close ${ts} is not aligned to ${this.spec.timeframe.label}: bars must be validated before the engine`,
      );
    }
    if (!Number.isNaN(last)) {
      out.gapCount = (ts - last) / this.timeframeMs - 1;
      out.gapFirstTs = last + this.timeframeMs;
      out.gapSide = this.targetSide(state);
      out.gapQty = this.targetQty(state);
      out.gapStop = state.position.stop;
      state.afterGap = true;
    }
    state.lastTs = ts;
    out.accepted = true;
    return true;
  }

  /** The decision on an evaluated bar. Holding is the hot path, kept small; acting is in cold methods. */
  private evaluate(state: EngineState, bar: Bar, context: EngineContext, out: StepOutput): StepOutput {
    const f = state.features;
    const side = state.position.side;
    if (side === 0) {
      const signal = this.strategy.entry(f);
      if (signal === 0 || (signal === -1 && !this.strategy.allowShort))
        return this.finish(state, out, A.hold, R.no_signal);
      return this.tryEntry(state, bar, context, signal, out);
    }
    if (context.killSwitch && context.flatten) {
      this.exit(state, bar, 'kill_switch_flatten', out);
      return this.finish(state, out, side === 1 ? A.exit_long : A.exit_short, R.kill_switch_flatten);
    }
    if (!(side === 1 ? this.strategy.exitLong(f) : this.strategy.exitShort(f))) {
      if (this.strategy.trail !== undefined) this.trail(state, bar);
      return this.finish(state, out, A.hold, R.in_position);
    }
    return this.exitOrReverse(state, bar, context, side, out);
  }

  private tryEntry(
    state: EngineState,
    bar: Bar,
    context: EngineContext,
    side: 1 | -1,
    out: StepOutput,
  ): StepOutput {
    const refusal = this.refusal(state, bar, context, 1);
    if (refusal !== null) return this.finish(state, out, A.hold, R[refusal]);
    this.enter(state, bar, side, out);
    return this.finish(state, out, side === 1 ? A.enter_long : A.enter_short, R.entry_signal);
  }

  /** The strategy wants out: reverse when it also signals the other side (and may), else exit. */
  private exitOrReverse(
    state: EngineState,
    bar: Bar,
    context: EngineContext,
    side: 1 | -1,
    out: StepOutput,
  ): StepOutput {
    const reverseSide = -side as 1 | -1;
    const wantsReverse =
      this.strategy.entry(state.features) === reverseSide && (reverseSide === 1 || this.strategy.allowShort);
    const refusal = wantsReverse ? this.refusal(state, bar, context, 2) : null;
    if (wantsReverse && refusal === null) {
      this.reverse(state, bar, reverseSide, out);
      return this.finish(
        state,
        out,
        reverseSide === 1 ? A.reverse_to_long : A.reverse_to_short,
        R.reverse_signal,
      );
    }
    this.exit(state, bar, 'exit_signal', out);
    return this.finish(
      state,
      out,
      side === 1 ? A.exit_long : A.exit_short,
      refusal === null ? R.exit_signal : R[refusal],
    );
  }

  private refusal(state: EngineState, bar: Bar, context: EngineContext, ordersNeeded: number) {
    const qty = this.book.entryQty(state, bar.close);
    return entryRefusal(
      {
        killSwitch: context.killSwitch,
        dayPnl: this.book.dayPnl(state, bar.ts) + this.book.unrealized(state, bar.close),
        notional: qty * bar.close,
        ordersInLastMinute: this.book.ordersInLastMinute(state, bar.ts),
        ordersNeeded,
      },
      this.spec.risk,
    );
  }

  private enter(state: EngineState, bar: Bar, side: 1 | -1, out: StepOutput): void {
    const qty = this.book.entryQty(state, bar.close);
    const distance = this.strategy.stopDistance(state.features, bar.close);
    if (this.nextOpen) {
      this.setPending(state, PENDING_ENTER, side, bar.ts, qty, distance, 0);
      return;
    }
    out.fillPrice = this.book.open(state, side, qty, bar.close, distance, bar.ts, out);
  }

  private exit(state: EngineState, bar: Bar, reason: ExitReason, out: StepOutput): void {
    if (this.nextOpen) {
      this.setPending(state, PENDING_EXIT, 0, bar.ts, 0, Number.NaN, R[reason]);
      return;
    }
    out.fillPrice = this.book.close(state, bar.close, bar.ts, reason, out);
  }

  private reverse(state: EngineState, bar: Bar, side: 1 | -1, out: StepOutput): void {
    if (this.nextOpen) {
      const qty = this.book.entryQty(state, bar.close);
      const distance = this.strategy.stopDistance(state.features, bar.close);
      this.setPending(state, PENDING_REVERSE, side, bar.ts, qty, distance, R.reverse_signal);
      return;
    }
    this.book.close(state, bar.close, bar.ts, 'reverse_signal', out);
    this.enter(state, bar, side, out);
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

  /** Fills the order decided at the previous bar's close at this bar's open. */
  private fillPending(state: EngineState, open: number, out: StepOutput): void {
    const pending = state.pending;
    if (pending.kind === PENDING_EXIT || pending.kind === PENDING_REVERSE) {
      if (state.position.side !== 0) {
        const reason = REASONS[pending.exitReason] as ExitReason;
        this.book.close(state, open, pending.decisionTs, reason, out);
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
        out,
      );
    }
    this.setPending(state, PENDING_NONE, 0, Number.NaN, 0, Number.NaN, 0);
  }

  /** Closes the position if this bar reached its stop; returns the side stopped out (0 if none). */
  private checkStop(state: EngineState, bar: Bar, out: StepOutput): Side {
    const side = state.position.side;
    if (side === 0) return 0;
    const stop = state.position.stop;
    // Written so that a NaN stop never triggers; ±Infinity (no stop) never does either.
    if (!(side === 1 ? bar.low <= stop : bar.high >= stop)) return 0;
    return this.stopOut(state, bar, out);
  }

  private stopOut(state: EngineState, bar: Bar, out: StepOutput): Side {
    const side = state.position.side;
    const stop = state.position.stop;
    const through = side === 1 ? bar.open <= stop : bar.open >= stop;
    const price = this.spec.fill.stopThrough && through ? bar.open : stop;
    out.fillPrice = this.book.close(state, price, bar.ts, 'stop_hit', out);
    return side;
  }

  private trail(state: EngineState, bar: Bar): void {
    const position = state.position;
    if (this.strategy.trail === undefined) return;
    const next = this.strategy.trail(state.features, position.side as 1 | -1, position.stop, bar);
    // A trailing stop only ever tightens.
    position.stop = position.side === 1 ? Math.max(position.stop, next) : Math.min(position.stop, next);
  }

  private targetSide(state: EngineState): Side {
    return state.pending.kind === PENDING_NONE ? state.position.side : state.pending.side;
  }

  private targetQty(state: EngineState): number {
    const pending = state.pending;
    if (pending.kind === PENDING_NONE) return state.position.qty;
    return pending.kind === PENDING_EXIT ? 0 : pending.qty;
  }

  private finish(state: EngineState, out: StepOutput, action: number, reason: number): StepOutput {
    out.action = action;
    out.reason = reason;
    const pending = state.pending;
    if (pending.kind === PENDING_NONE) {
      const position = state.position;
      out.side = position.side;
      out.qty = position.qty;
      out.stop = position.stop;
    } else {
      out.side = pending.side;
      out.qty = pending.kind === PENDING_EXIT ? 0 : pending.qty;
      out.stop = Number.NaN;
    }
    return out;
  }
}
