import { MjolnirError } from '../core/index.js';
import type { Bar } from '../market/index.js';
import { allocateSeries, type BarSeries, mutableBar, storeBar, usableValues } from '../market/index.js';
import type { Strategy } from '../strategy/index.js';
import { ACTION_CODE, type HostSkipReason, REASON_CODE, type Side } from './decision.js';
import { decisionCode, Orders } from './orders.js';
import type { StepOutput } from './output.js';
import type { EngineSpec } from './spec.js';
import { type EngineState, PENDING_EXIT, PENDING_NONE } from './state.js';
import { ROW_AFTER_GAP, ROW_DUPLICATE, ROW_NEXT, ROW_OUT_OF_ORDER, StepLog } from './step-log.js';

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

/** Whether two contexts make the same decisions (so bars under them can be decided in one run). */
export function sameContext(a: EngineContext, b: EngineContext): boolean {
  return a.killSwitch === b.killSwitch && a.flatten === b.flatten && a.warmup === b.warmup;
}

const A = ACTION_CODE;
const R = REASON_CODE;
const BAR_INVALID = decisionCode(A.skip, R.bar_invalid);
const NOT_ENOUGH_BARS = decisionCode(A.skip, R.not_enough_bars);
const FEATURES_INVALID = decisionCode(A.skip, R.features_invalid);
const CADENCE_FAILED = decisionCode(A.skip, R.cadence_failed);
const STOPPED_LONG = decisionCode(A.exit_long, R.stop_hit);
const STOPPED_SHORT = decisionCode(A.exit_short, R.stop_hit);
const NO_SIGNAL = decisionCode(A.hold, R.no_signal);
const IN_POSITION = decisionCode(A.hold, R.in_position);
/** Not a decision: the bar trades, see `act`. */
const ACT = -1;

/**
 * The one decision procedure that LIVE, BACKTEST and notebooks share. `decide` takes a run of bars
 * and `advance` one bar (a run of one); both mutate the state they are given (hosts own their state;
 * see `Engine.step` for the pure form).
 *
 * Per accepted bar, in order: gap accounting (empty slots become `bar_missing`), bar validation,
 * the pending next-open order, the stop, the features, then exactly one decision.
 */
export class DecisionEngine {
  private readonly strategy: Strategy;
  private readonly orders: Orders;
  private readonly timeframeMs: number;
  /** The bar handed to the strategy, refilled for every bar. */
  private readonly bar = mutableBar();
  /** The series and log of one bar, for `advance` and `skipSlot`. */
  private readonly single = allocateSeries(1);
  private readonly singleLog = new StepLog(1);
  /** What a row reports as held, set by `target`: the position, or the pending order's. */
  private held: Side = 0;
  private heldQty = 0;
  private heldStop = Number.NaN;
  /** Whether a next-open order waits for the next bar, set by `target` too. */
  private pending = false;

  constructor(private readonly spec: EngineSpec) {
    this.strategy = spec.strategy;
    this.orders = new Orders(spec);
    this.timeframeMs = spec.timeframe.ms;
  }

  /** Decides one closed bar (and any empty slots before it). */
  advance(state: EngineState, bar: Bar, context: EngineContext, out: StepOutput): StepOutput {
    storeBar(this.single, 0, bar);
    this.decide(state, this.single, 0, 1, context, this.singleLog);
    return this.singleLog.toOutput(0, out);
  }

  /**
   * Decides bars [from, to) of `series`, all under `context`, into `log` (row r is bar from + r):
   * exactly what `advance` on each bar in turn decides. The loop keeps the sequencing state and what
   * is held in locals (written back to `state` at the end, the last slot also before anything trades)
   * and stores two numbers per row; the bars that fill, stop out or trade leave it for
   * `beforeFeatures` and `act`.
   */
  decide(
    state: EngineState,
    series: BarSeries,
    from: number,
    to: number,
    context: EngineContext,
    log: StepLog,
  ): void {
    log.start(series, from, to, this.spec.initialCapital);
    const { ts, open, high, low, close, volume } = series;
    const { status, code: codes } = log;
    const { strategy, orders, bar } = this;
    const features = state.features;
    const tf = this.timeframeMs;
    const warmupBars = context.warmup === true ? Number.POSITIVE_INFINITY : strategy.warmupBars;
    const rows = to - from;
    const next = ROW_NEXT;
    let lastTs = state.lastTs;
    let validBars = state.validBars;
    let afterGap = state.afterGap;
    this.target(state, log, 0);
    let held = this.held;
    let stop = this.heldStop;
    let pending = this.pending;
    let r = 0;
    try {
      for (; r < rows; r++) {
        const i = from + r;
        const t = ts[i]!;
        if (t === lastTs + tf) status[r] = next;
        else {
          const slot = this.irregular(state, t, lastTs, log, r);
          if (slot >= ROW_DUPLICATE) continue;
          if (slot === ROW_AFTER_GAP) afterGap = true;
        }
        lastTs = t;
        if (validBars === 0 && Number.isNaN(state.firstTs)) state.firstTs = t;
        const o = open[i]!;
        const h = high[i]!;
        const l = low[i]!;
        const c = close[i]!;
        const v = volume[i]!;
        let code: number;
        if (!usableValues(o, h, l, c, v)) {
          afterGap = true;
          code = BAR_INVALID;
        } else {
          bar.ts = t as Bar['ts'];
          bar.open = o;
          bar.high = h;
          bar.low = l;
          bar.close = c;
          bar.volume = v;
          let stopped: Side = 0;
          // Written so that a NaN stop never triggers; ±Infinity (no stop) never does either.
          const stopHit = held !== 0 && (held === 1 ? l <= stop : h >= stop);
          if (stopHit || pending) {
            stopped = this.beforeFeatures(state, log, r);
            held = this.held;
            stop = this.heldStop;
            pending = this.pending;
          }
          strategy.update(features, bar);
          validBars++;
          const gap = afterGap;
          afterGap = false;
          if (stopped !== 0) code = stopped === 1 ? STOPPED_LONG : STOPPED_SHORT;
          else if (validBars < warmupBars) code = NOT_ENOUGH_BARS;
          else if (!strategy.valid(features)) code = FEATURES_INVALID;
          else if (gap) code = CADENCE_FAILED;
          else if (held === 0) {
            const signal = strategy.entry(features);
            code = signal === 0 || (signal === -1 && !strategy.allowShort) ? NO_SIGNAL : ACT;
          } else if (
            (context.killSwitch && context.flatten) ||
            (held === 1 ? strategy.exitLong(features) : strategy.exitShort(features))
          ) {
            code = ACT;
          } else {
            if (strategy.trail !== undefined) {
              orders.trail(state, bar);
              this.target(state, log, r);
              stop = this.heldStop;
            }
            code = IN_POSITION;
          }
          if (code === ACT) {
            code = this.act(state, context, log, r);
            held = this.held;
            stop = this.heldStop;
            pending = this.pending;
          }
        }
        codes[r] = code;
      }
    } finally {
      state.lastTs = lastTs;
      state.validBars = validBars;
      state.afterGap = afterGap;
      log.count = r;
    }
  }

  /**
   * Before the features see the bar: fills a pending next-open order at its open, then closes the
   * position if the bar reached its stop. Returns the side stopped out (0 if none).
   */
  private beforeFeatures(state: EngineState, log: StepLog, r: number): Side {
    const bar = this.bar;
    log.row = r;
    state.lastTs = bar.ts; // the book dates fills by it
    if (state.pending.kind !== PENDING_NONE) this.orders.fillPending(state, bar.open, log);
    const position = state.position;
    const side = position.side;
    const stopped =
      side !== 0 && (side === 1 ? bar.low <= position.stop : bar.high >= position.stop)
        ? this.orders.stopOut(state, bar.open, bar.ts, log)
        : 0;
    this.target(state, log, log.row);
    return stopped;
  }

  /** An evaluated bar that trades: an entry (or its refusal), the kill switch's flatten, an exit or a reversal. */
  private act(state: EngineState, context: EngineContext, log: StepLog, r: number): number {
    const { orders, bar, strategy } = this;
    log.row = r;
    state.lastTs = bar.ts; // the book dates fills by it
    const side = state.position.side;
    let code: number;
    if (side === 0)
      code = orders.tryEntry(state, bar, context, strategy.entry(state.features) as 1 | -1, log);
    else if (context.killSwitch && context.flatten) code = orders.flatten(state, bar, log);
    else code = orders.exitOrReverse(state, bar, context, side, log);
    this.target(state, log, log.row);
    return code;
  }

  /** Records a slot the host could not obtain or store a bar for (fetch_failed, persist_failed, bar_missing). */
  skipSlot(state: EngineState, ts: number, reason: HostSkipReason, out: StepOutput): StepOutput {
    out.reset();
    out.ts = ts;
    out.close = Number.NaN;
    this.target(state, null, 0);
    if (ts !== state.lastTs + this.timeframeMs) {
      const log = this.singleLog;
      const slot = this.irregular(state, ts, state.lastTs, log, 0);
      if (slot >= ROW_DUPLICATE) {
        out.rejection = slot === ROW_DUPLICATE ? 'duplicate' : 'out_of_order';
        return out;
      }
      if (slot === ROW_AFTER_GAP) log.gapInto(0, out);
    }
    state.lastTs = ts;
    state.afterGap = true;
    out.accepted = true;
    out.action = A.skip;
    out.reason = R[reason];
    out.side = this.held;
    out.qty = this.heldQty;
    out.stop = this.heldStop;
    out.equity = Number.NaN;
    return out;
  }

  /**
   * A slot that is not the one after the last: the first, one after empty slots (their gap goes to
   * row r, with what is held across them), a stale one (refused) or a misaligned one (an error).
   */
  private irregular(state: EngineState, t: number, last: number, log: StepLog, r: number): number {
    if (t <= last) {
      const refused = t === last ? ROW_DUPLICATE : ROW_OUT_OF_ORDER;
      log.status[r] = refused;
      return refused;
    }
    const slots = t / this.timeframeMs;
    if (slots !== Math.floor(slots)) {
      throw new MjolnirError(
        'invariant_violated',
        `bar close ${t} is not aligned to ${this.spec.timeframe.label}: bars must be validated before the engine`,
      );
    }
    if (Number.isNaN(last)) {
      log.status[r] = ROW_NEXT;
      return ROW_NEXT;
    }
    log.status[r] = ROW_AFTER_GAP;
    log.gapCount[r] = (t - last) / this.timeframeMs - 1;
    log.gapFirstTs[r] = last + this.timeframeMs;
    log.gapSide[r] = this.held;
    log.gapQty[r] = this.heldQty;
    // The position's own stop, even while an order is pending (as journals have always shown it).
    log.gapStop[r] = state.position.stop;
    return ROW_AFTER_GAP;
  }

  /**
   * Sets what rows report as held (the position, or where a pending next-open order leads) and, with
   * a log, records it there from row `r` on, with what marking to market reads.
   */
  private target(state: EngineState, log: StepLog | null, r: number): void {
    const pending = state.pending;
    const position = state.position;
    this.pending = pending.kind !== PENDING_NONE;
    if (pending.kind === PENDING_NONE) {
      this.held = position.side;
      this.heldQty = position.qty;
      this.heldStop = position.stop;
    } else {
      this.held = pending.side;
      this.heldQty = pending.kind === PENDING_EXIT ? 0 : pending.qty;
      this.heldStop = Number.NaN;
    }
    log?.hold(r, this.held, this.heldQty, this.heldStop, position, state.account.realizedPnl);
  }
}
