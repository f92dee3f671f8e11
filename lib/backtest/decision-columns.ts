import type { StepOutput } from '../engine/index.js';
import { ACTION_CODE, REASON_CODE } from '../engine/index.js';
import type { ByteSink } from '../journal/index.js';
import {
  CELL_CLOSE,
  CELL_EQUITY,
  CELL_FILL,
  CELL_QTY,
  CELL_STOP,
  CELL_TS,
  type DecisionLines,
  setCells,
} from '../journal/index.js';
import { type MutableBar, mutableBar } from '../market/index.js';

const NUMBERS = ['ts', 'open', 'high', 'low', 'close', 'volume', 'stop', 'qty', 'fill', 'equity'] as const;

/** A batch of decision rows in columns, as plain transferable arrays (what crosses to a worker). */
export interface ColumnsData {
  readonly seq: number;
  readonly count: number;
  /** NUMBERS, `capacity` values each, back to back. */
  readonly numbers: Float64Array<ArrayBuffer>;
  /** action, reason, side + 1, and 1 when the row has its bar: four bytes per row. */
  readonly codes: Uint8Array<ArrayBuffer>;
}

/**
 * Decision rows gathered in columns by the engine thread, to be formatted elsewhere: the values a
 * line needs and the bar decided (its hash is taken where the line is written).
 */
export class DecisionColumns {
  count = 0;
  private readonly numbers: Float64Array<ArrayBuffer>;
  private readonly codes: Uint8Array<ArrayBuffer>;
  /** The numbers of a row given as a StepOutput, for `row`. */
  private readonly scratch = new Float64Array(6);

  constructor(
    readonly capacity: number,
    recycled?: ColumnsData,
  ) {
    this.numbers = recycled?.numbers ?? new Float64Array(capacity * NUMBERS.length);
    this.codes = recycled?.codes ?? new Uint8Array(capacity * 4);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** The row of a step's own slot (see DecisionOutput.decided). */
  decided(out: StepOutput, equity: number, bar: MutableBar | null): void {
    setCells(this.scratch, out.ts, out.close, out.stop, out.qty, out.fillPrice, equity);
    this.row(this.scratch, out.action, out.reason, out.side, bar);
  }

  /** The row of a bar's own slot, its numbers in `cells` (see DecisionOutput.fromCells). */
  fromCells(cells: Float64Array, action: number, reason: number, side: number, bar: MutableBar): void {
    this.row(cells, action, reason, side, bar);
  }

  /** The row of an empty slot (see DecisionOutput.missing). */
  missing(ts: number, out: StepOutput): void {
    const NAN = Number.NaN;
    setCells(this.scratch, ts, NAN, out.gapStop, out.gapQty, NAN, NAN);
    this.row(this.scratch, ACTION_CODE.skip, REASON_CODE.bar_missing, out.gapSide, null);
  }

  /**
   * Appends a row, its numbers in `cells` (CELL_*) and its bar's (none for an empty slot): copied
   * from cell to column, no double passed to a call (V8 boxes those it does not inline).
   */
  private row(
    cells: Float64Array,
    action: number,
    reason: number,
    side: number,
    bar: MutableBar | null,
  ): void {
    const n = this.count++;
    const c = this.capacity;
    const numbers = this.numbers;
    numbers[n] = cells[CELL_TS]!;
    if (bar !== null) {
      numbers[c + n] = bar.open;
      numbers[2 * c + n] = bar.high;
      numbers[3 * c + n] = bar.low;
      numbers[5 * c + n] = bar.volume;
    }
    numbers[4 * c + n] = cells[CELL_CLOSE]!;
    numbers[6 * c + n] = cells[CELL_STOP]!;
    numbers[7 * c + n] = cells[CELL_QTY]!;
    numbers[8 * c + n] = cells[CELL_FILL]!;
    numbers[9 * c + n] = cells[CELL_EQUITY]!;
    const codes = this.codes;
    codes[4 * n] = action;
    codes[4 * n + 1] = reason;
    codes[4 * n + 2] = side + 1;
    codes[4 * n + 3] = bar === null ? 0 : 1;
  }

  /** The batch as data, numbered `seq`; this object must not be used afterwards. */
  data(seq: number): ColumnsData {
    return { seq, count: this.count, numbers: this.numbers, codes: this.codes };
  }
}

/** Writes the lines of a batch into `sink`, exactly as writing them one by one would. */
export function writeColumns(
  lines: DecisionLines,
  sink: ByteSink,
  data: ColumnsData,
  strategy: string,
  spec: string,
): void {
  const { numbers, codes, count } = data;
  const c = numbers.length / NUMBERS.length;
  const bar = mutableBar();
  const cells = lines.cells;
  for (let n = 0; n < count; n++) {
    const hasBar = codes[4 * n + 3] === 1;
    const ts = numbers[n]!;
    if (hasBar) {
      bar.ts = ts as MutableBar['ts'];
      bar.open = numbers[c + n]!;
      bar.high = numbers[2 * c + n]!;
      bar.low = numbers[3 * c + n]!;
      bar.close = numbers[4 * c + n]!;
      bar.volume = numbers[5 * c + n]!;
    }
    setCells(
      cells,
      ts,
      numbers[4 * c + n]!,
      numbers[6 * c + n]!,
      numbers[7 * c + n]!,
      numbers[8 * c + n]!,
      numbers[9 * c + n]!,
    );
    lines.writeCells(
      sink,
      codes[4 * n]!,
      codes[4 * n + 1]!,
      codes[4 * n + 2]! - 1,
      hasBar ? bar : '',
      '',
      strategy,
      spec,
    );
  }
}
