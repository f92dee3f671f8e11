import {
  ACTION_CODE,
  ACTIONS,
  NUMBER_CLOSE,
  NUMBER_EQUITY,
  NUMBER_FILL,
  NUMBER_QTY,
  NUMBER_STOP,
  NUMBER_TS,
  REASON_CODE,
  REASONS,
} from '../engine/index.js';
import type { Bar } from '../market/index.js';
import { barHashLanes } from '../market/index.js';
import {
  ByteSink,
  MAX_NUMBER_BYTES,
  putHexLane,
  putIntegerCell,
  putNumber,
  putNumberCell,
  putText,
  putWords,
  Words,
} from './byte-sink.js';
import type { DecisionRow, JournalStream } from './decisions.js';

const COMMA = 44;
const POSITIONS = ['short', 'flat', 'long'] as const;
const SIDE = { short: -1, flat: 0, long: 1 } as const;
const DAY_MS = 86_400_000;
const PAIRS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** "HH:MM:00.000Z\n" for every minute of a day: bar times fall on minutes. */
const ON_THE_MINUTE = Array.from({ length: 1440 }, (_, m) =>
  Words.of(`${PAIRS[Math.floor(m / 60)]}:${PAIRS[m % 60]}:00.000Z\n`),
);

/** The numbers of a line, by their cell in DecisionLines.cells: where StepLog.numbersInto puts them. */
export const CELL_TS = NUMBER_TS;
export const CELL_CLOSE = NUMBER_CLOSE;
export const CELL_STOP = NUMBER_STOP;
export const CELL_QTY = NUMBER_QTY;
export const CELL_FILL = NUMBER_FILL;
export const CELL_EQUITY = NUMBER_EQUITY;

/** Puts a line's numbers into `cells` (see DecisionLines.cells). */
export function setCells(
  cells: Float64Array,
  ts: number,
  close: number,
  stop: number,
  qty: number,
  fill: number,
  equity: number,
): void {
  cells[CELL_TS] = ts;
  cells[CELL_CLOSE] = close;
  cells[CELL_STOP] = stop;
  cells[CELL_QTY] = qty;
  cells[CELL_FILL] = fill;
  cells[CELL_EQUITY] = equity;
}

/**
 * The one formatting of decisions.csv lines, for the LIVE journal and the backtest alike (so eq reads
 * both the same way). Built for a million rows a second: bytes written straight into a buffer, no
 * string per row, repeated values (a held stop, a size, a day) copied from their last encoding.
 */
export class DecisionLines {
  private readonly prefix: Words;
  /** "action,reason,position," by (action, reason, side) code. */
  private readonly labels: (Words | undefined)[] = [];
  /** "stop,qty," of the last row, reused while both repeat (a held position, a flat book). */
  private stop = Number.NaN;
  private qty = Number.NaN;
  private readonly stopQty = new Words(2 * MAX_NUMBER_BYTES + 2);
  private readonly scratch = new ByteSink(512);
  private readonly lanes = new Uint32Array(2);
  /**
   * A line's numbers, for `writeCells` (ts, close, stop, qty, fill, equity: see CELL_*). Hot callers
   * fill them and call it, so no double crosses a call V8 may not inline (each would be boxed).
   */
  readonly cells = new Float64Array(6);
  /** The equity as written, rounded. */
  private readonly equity = new Float64Array(1);
  private suffixStrategy = '';
  private suffixSpec = '';
  /** ",strategy,model_id,spec,YYYY-MM-DDT": the columns after the features up to the time of day, per day. */
  private suffix = Words.of(',,,,');
  private day = Number.NaN;

  constructor(stream: JournalStream) {
    this.prefix = Words.of(`${stream.exchange},${stream.symbol},${stream.timeframe},`);
    this.stopQty.length = putText(this.stopQty.view, 0, ',,');
  }

  private labelsOf(action: number, reason: number, side: number): Words {
    const key = (action * REASONS.length + reason) * 3 + side + 1;
    let words = this.labels[key];
    if (words === undefined) {
      words = Words.of(`${ACTIONS[action]},${REASONS[reason]},${POSITIONS[side + 1]},`);
      this.labels[key] = words;
    }
    return words;
  }

  /** Re-encodes "stop,qty," in place. */
  private encodeStopQty(stop: number, qty: number): void {
    this.stop = stop;
    this.qty = qty;
    const view = this.stopQty.view;
    let at = putNumber(view, 0, stop);
    view.setUint8(at++, COMMA);
    at = putNumber(view, at, qty);
    view.setUint8(at++, COMMA);
    this.stopQty.length = at;
  }

  /**
   * Writes one line, newline included, in DECISION_COLUMNS order: action and reason by their codes
   * (ACTION_CODE, REASON_CODE), the position by its side. `input` is the bar decided (its hash is
   * written) or its hash as text, '' without a bar.
   */
  write(
    sink: ByteSink,
    ts: number,
    action: number,
    reason: number,
    side: number,
    close: number,
    stop: number,
    qty: number,
    fillPrice: number,
    equity: number,
    input: Bar | string,
    features: string,
    strategy: string,
    spec: string,
  ): void {
    setCells(this.cells, ts, close, stop, qty, fillPrice, equity);
    this.writeCells(sink, action, reason, side, input, features, strategy, spec);
  }

  /** `write`, its numbers taken from `cells`. */
  writeCells(
    sink: ByteSink,
    action: number,
    reason: number,
    side: number,
    input: Bar | string,
    features: string,
    strategy: string,
    spec: string,
  ): void {
    const cells = this.cells;
    const ts = cells[CELL_TS]!;
    const stop = cells[CELL_STOP]!;
    const qty = cells[CELL_QTY]!;
    // Equity is written to 8 decimals (a satoshi of a BTC-quoted account; far below a cent otherwise).
    const equity = cells[CELL_EQUITY]!;
    this.equity[0] = Math.abs(equity) < 4e7 ? Math.round(equity * 1e8) / 1e8 : equity;
    const day = Math.floor(ts / DAY_MS);
    if (strategy !== this.suffixStrategy || spec !== this.suffixSpec || day !== this.day) {
      this.suffixStrategy = strategy;
      this.suffixSpec = spec;
      this.day = day;
      this.suffix = Words.of(`,${strategy},${spec},${new Date(day * DAY_MS).toISOString().slice(0, 11)}`);
    }
    if (!Object.is(stop, this.stop) || !Object.is(qty, this.qty)) this.encodeStopQty(stop, qty);
    const labels = this.labelsOf(action, reason, side);
    const bound =
      this.prefix.length +
      labels.length +
      this.stopQty.length +
      this.suffix.length +
      features.length +
      (typeof input === 'string' ? input.length : 16) +
      4 * MAX_NUMBER_BYTES +
      64;
    const view = sink.reserve(bound);
    let at = putWords(view, sink.length, this.prefix);
    at = putIntegerCell(view, at, cells, CELL_TS);
    view.setUint8(at++, COMMA);
    at = putWords(view, at, labels);
    at = putNumberCell(view, at, cells, CELL_CLOSE);
    view.setUint8(at++, COMMA);
    at = putWords(view, at, this.stopQty);
    at = putNumberCell(view, at, cells, CELL_FILL);
    view.setUint8(at++, COMMA);
    at = putNumberCell(view, at, this.equity, 0);
    view.setUint8(at++, COMMA);
    if (typeof input === 'string') at = putText(view, at, input);
    else {
      barHashLanes(input, this.lanes);
      at = putHexLane(view, at, this.lanes, 0);
      at = putHexLane(view, at, this.lanes, 1);
    }
    view.setUint8(at++, COMMA);
    at = putText(view, at, features);
    at = putWords(view, at, this.suffix);
    // Within a day, so int32 arithmetic (a float remainder is slow). Bar times fall on minutes;
    // anything else (never in practice) takes the slow way.
    const rest = (ts - day * DAY_MS) | 0;
    at =
      rest % 60_000 === 0
        ? putWords(view, at, ON_THE_MINUTE[(rest / 60_000) | 0]!)
        : putText(view, at, `${new Date(ts).toISOString().slice(11)}\n`);
    sink.length = at;
  }

  /** The line of a row, newline included. */
  row(row: DecisionRow): string {
    this.scratch.clear();
    this.write(
      this.scratch,
      row.ts_ms,
      ACTION_CODE[row.action],
      REASON_CODE[row.reason],
      SIDE[row.position],
      row.close,
      row.stop,
      row.qty,
      row.fill_price,
      row.equity,
      row.input_hash,
      row.features,
      `${row.strategy},${row.model_id}`,
      row.spec,
    );
    return this.scratch.textFrom(0);
  }
}
