import { MjolnirError } from '../core/index.js';
import type { BarSeries } from '../market/index.js';
import type { Side, TradeEvent } from './decision.js';
import type { StepOutput } from './output.js';
import type { Position } from './state.js';

/** Numbers per change of what is held (see StepLog.hold). */
const HOLD_FIELDS = 9;

/** A row's slot status: the next slot, a slot after empty ones (its gap columns are set), or refused. */
export const ROW_NEXT = 0;
export const ROW_AFTER_GAP = 1;
export const ROW_DUPLICATE = 2;
export const ROW_OUT_OF_ORDER = 3;

/** Where `StepLog.numbersInto` puts a row's numbers (the order decision lines take them in). */
export const NUMBER_TS = 0;
export const NUMBER_CLOSE = 1;
export const NUMBER_STOP = 2;
export const NUMBER_QTY = 3;
export const NUMBER_FILL = 4;
export const NUMBER_EQUITY = 5;
/** How many numbers numbersInto writes. */
export const NUMBER_SLOTS = 6;

/**
 * What the engine decided for a run of bars, one row per bar fed, in columns: the batch form of
 * `StepOutput`, written by `DecisionEngine.decide` with no allocation per bar (trade events, which
 * are rare, are the exception). Row `r` is bar `from + r` of the series last decided.
 */
export class StepLog {
  /** Rows written by the last `decide`. */
  count = 0;
  /** Index in `series` of row 0. */
  from = 0;
  /** The row cold paths are deciding (where fills and events go). */
  row = 0;
  readonly status: Uint8Array;
  /** The decision: its index into ACTIONS times 256 plus its index into REASONS (see actionAt, reasonAt). */
  readonly code: Uint16Array;
  /** Fill price of the row's own decision (NaN when none). */
  readonly fill: Float64Array;
  /** Set on ROW_AFTER_GAP rows only: the empty slots before the bar and the position held across them. */
  readonly gapCount: Float64Array;
  readonly gapFirstTs: Float64Array;
  readonly gapSide: Int8Array;
  readonly gapQty: Float64Array;
  readonly gapStop: Float64Array;
  /** Fills in order, with the row of each. */
  readonly events: TradeEvent[] = [];
  readonly eventRows: number[] = [];
  /**
   * What is held from a row on, recorded when it changes (rarely: on fills, stops and trailing), so
   * rows need not carry it: HOLD_FIELDS numbers per change, the first being the row.
   */
  private holds = new Float64Array(8 * HOLD_FIELDS);
  private holdsEnd = 0;
  private series: BarSeries | undefined;
  private capital = 0;
  private eventCursor = 0;
  private holdCursor = 0;

  constructor(readonly capacity: number) {
    this.status = new Uint8Array(capacity);
    this.code = new Uint16Array(capacity);
    this.fill = new Float64Array(capacity);
    this.gapCount = new Float64Array(capacity);
    this.gapFirstTs = new Float64Array(capacity);
    this.gapSide = new Int8Array(capacity);
    this.gapQty = new Float64Array(capacity);
    this.gapStop = new Float64Array(capacity);
  }

  /** Empties the log for bars [from, to) of `series`, marking equity on `capital`. */
  start(series: BarSeries, from: number, to: number, capital: number): void {
    if (to - from > this.capacity || from < 0 || to > series.length) {
      throw new MjolnirError(
        'invariant_violated',
        `cannot decide bars [${from}, ${to}) of ${series.length} into a log of ${this.capacity} rows`,
      );
    }
    this.series = series;
    this.capital = capital;
    this.from = from;
    this.fill.fill(Number.NaN, 0, to - from);
    this.count = 0;
    this.row = 0;
    this.eventCursor = 0;
    this.holdCursor = 0;
    this.holdsEnd = 0;
    if (this.events.length > 0) {
      this.events.length = 0;
      this.eventRows.length = 0;
    }
  }

  /** Row r's action, an index into ACTIONS. */
  actionAt(r: number): number {
    return this.code[r]! >> 8;
  }

  /** Row r's reason, an index into REASONS. */
  reasonAt(r: number): number {
    return this.code[r]! & 255;
  }

  /**
   * From row `r` on (until the next change), rows report holding `side`, `qty` and `stop`, and are
   * marked to market on `position` and the realised PnL.
   */
  hold(r: number, side: Side, qty: number, stop: number, position: Position, realized: number): void {
    if (this.holdsEnd === this.holds.length) {
      const grown = new Float64Array(this.holds.length * 2);
      grown.set(this.holds);
      this.holds = grown;
    }
    const holds = this.holds;
    const at = this.holdsEnd;
    holds[at] = r;
    holds[at + 1] = side;
    holds[at + 2] = qty;
    holds[at + 3] = stop;
    holds[at + 4] = position.side;
    holds[at + 5] = position.qty;
    holds[at + 6] = position.entryPrice;
    holds[at + 7] = position.entryFee;
    holds[at + 8] = realized;
    this.holdsEnd = at + HOLD_FIELDS;
  }

  /** Records a fill made while deciding `row`. */
  event(event: TradeEvent): void {
    this.events.push(event);
    this.eventRows.push(this.row);
  }

  /** Copies the gap of row `r` (a ROW_AFTER_GAP row) into `out`. */
  gapInto(r: number, out: StepOutput): void {
    out.gapCount = this.gapCount[r]!;
    out.gapFirstTs = this.gapFirstTs[r]!;
    out.gapSide = this.gapSide[r] as Side;
    out.gapQty = this.gapQty[r]!;
    out.gapStop = this.gapStop[r]!;
  }

  /**
   * Moves to row `r` (rows are visited in increasing order): `heldSide`, `heldQty`, `heldStop` and
   * `equityAt` then describe the state after it.
   */
  seek(r: number): void {
    const holds = this.holds;
    let h = this.holdCursor;
    while (h + HOLD_FIELDS < this.holdsEnd && holds[h + HOLD_FIELDS]! <= r) h += HOLD_FIELDS;
    this.holdCursor = h;
  }

  /** The side held after the row sought (where a pending next-open order leads). */
  get heldSide(): Side {
    return this.holds[this.holdCursor + 1] as Side;
  }

  get heldQty(): number {
    return this.holds[this.holdCursor + 2]!;
  }

  get heldStop(): number {
    return this.holds[this.holdCursor + 3]!;
  }

  /**
   * Row `r`'s numbers into `into` at NUMBER_*, with no double crossing a call (V8 boxes each one
   * passed to or returned from a call it does not inline): its close time and close, the stop and
   * size held after it, its fill price and its equity. Returns the side held. Rows are read in
   * increasing order (it seeks row r).
   */
  numbersInto(r: number, into: Float64Array): Side {
    const series = this.series!;
    const i = this.from + r;
    this.seek(r);
    const holds = this.holds;
    const h = this.holdCursor;
    const close = series.close[i]!;
    into[NUMBER_TS] = series.ts[i]!;
    into[NUMBER_CLOSE] = close;
    into[NUMBER_STOP] = holds[h + 3]!;
    into[NUMBER_QTY] = holds[h + 2]!;
    into[NUMBER_FILL] = this.fill[r]!;
    into[NUMBER_EQUITY] = this.equityAt(close);
    return holds[h + 1] as Side;
  }

  /** Equity after the row sought, marked at `close` (NaN without one): markToMarket of the state then. */
  equityAt(close: number): number {
    const holds = this.holds;
    const h = this.holdCursor;
    const side = holds[h + 4]!;
    const unrealized = side === 0 ? 0 : side * (close - holds[h + 6]!) * holds[h + 5]! - holds[h + 7]!;
    return !Number.isNaN(close) ? this.capital + holds[h + 8]! + unrealized : Number.NaN;
  }

  /** Whether row `r` made fills (rows are asked in increasing order). */
  hasEvents(r: number): boolean {
    const rows = this.eventRows;
    let e = this.eventCursor;
    while (e < rows.length && rows[e]! < r) e++;
    this.eventCursor = e;
    return e < rows.length && rows[e] === r;
  }

  /**
   * Row `r` as a StepOutput, with its trade events. Rows are read in increasing order (each row's
   * events follow the previous row's).
   */
  toOutput(r: number, out: StepOutput): StepOutput {
    const series = this.series!;
    const i = this.from + r;
    out.reset();
    out.ts = series.ts[i]!;
    const status = this.status[r]!;
    if (status >= ROW_DUPLICATE) {
      out.rejection = status === ROW_DUPLICATE ? 'duplicate' : 'out_of_order';
      return out;
    }
    out.accepted = true;
    if (status === ROW_AFTER_GAP) this.gapInto(r, out);
    out.close = series.close[i]!;
    out.action = this.actionAt(r);
    out.reason = this.reasonAt(r);
    out.fillPrice = this.fill[r]!;
    this.seek(r);
    out.side = this.heldSide;
    out.qty = this.heldQty;
    out.stop = this.heldStop;
    out.equity = this.equityAt(out.close);
    if (this.hasEvents(r)) {
      const rows = this.eventRows;
      let e = this.eventCursor;
      while (e < rows.length && rows[e] === r) out.events.push(this.events[e++]!);
      this.eventCursor = e;
    }
    return out;
  }
}
