import {
  ACTION_CODE,
  NUMBER_CLOSE,
  NUMBER_EQUITY,
  NUMBER_FILL,
  NUMBER_QTY,
  NUMBER_SLOTS,
  NUMBER_STOP,
  NUMBER_TS,
  REASON_CODE,
  type StepOutput,
} from '../engine/index.js';
import type { Bar } from '../market/index.js';
import { Batch, type BatchData } from './batch.js';
import type { JournalStream, StrategyName } from './decisions.js';
import { type ColumnLayout, DECISIONS } from './row-codec.js';
import {
  type ConstantsOf,
  type DECISION_SCHEMA,
  type DecisionRow,
  STEP_ACTION,
  STEP_REASON,
  STEP_SIDE,
} from './schema.js';

/**
 * Where the decision rows of engine steps go: the LIVE journal's rows, a backtest's file formatted in
 * this thread or on workers. Every host writes through `writeStep`, so a row means the same everywhere.
 */
export interface DecisionSink {
  /** The row of a step's own slot; `bar` is the bar decided (null for a host skip), `features` its text or ''. */
  decided(out: StepOutput, bar: Bar | null, features: string): void;
  /** The row of an empty slot at `ts` before the step's own: skip/bar_missing, the position carried. */
  missing(ts: number, out: StepOutput): void;
}

/**
 * The one mapping from an engine step to decision rows: nothing for a refused bar, else a row for each
 * empty slot before it, then its own, keeping those that close in [from, to] (a backtest's window).
 * Returns the rows written.
 */
export function writeStep(
  out: StepOutput,
  timeframeMs: number,
  sink: DecisionSink,
  bar: Bar | null,
  features: string,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): number {
  if (!out.accepted) return 0;
  let rows = 0;
  for (let g = 0; g < out.gapCount; g++) {
    const ts = out.gapFirstTs + g * timeframeMs;
    if (ts < from || ts > to) continue;
    sink.missing(ts, out);
    rows++;
  }
  if (out.ts < from || out.ts > to) return rows;
  sink.decided(out, bar, features);
  return rows + 1;
}

/** The `stream` and `run` cells of a stream's rows under a strategy and spec. */
export function decisionConstants(
  stream: JournalStream,
  strategy: StrategyName,
  spec: string,
): DecisionConstants {
  return {
    exchange: stream.exchange,
    symbol: stream.symbol,
    timeframe: stream.timeframe,
    strategy: strategy.id,
    model_id: strategy.modelId ?? '',
    spec,
  };
}

export type DecisionConstants = ConstantsOf<typeof DECISION_SCHEMA>;

/** Copies a step's values into row `n` of a batch's lanes (see `copier`). */
type Copy = (
  floats: Float64Array,
  codes: Uint8Array,
  cells: Float64Array,
  c: number,
  n: number,
  action: number,
  reason: number,
  side: number,
  bar: Bar | null,
) => void;

/**
 * The copies from a step into a batch's lanes, from the schema's `step` marks, as one straight-line
 * function (lanes as constants; only numbers go into its source): what a hand-written copy would be.
 * A column without a `step` is left empty (NaN, code 0).
 */
function copier(): Copy {
  const step = (c: ColumnLayout) => c.column.step ?? -1;
  const codeOf: Record<number, string> = {
    [STEP_ACTION]: 'action',
    [STEP_REASON]: 'reason',
    [STEP_SIDE]: 'side',
  };
  const lines: string[] = [];
  for (const c of DECISIONS.columns) {
    const { kind } = c.column;
    if (kind === 'ts' || kind === 'number' || kind === 'money')
      lines.push(`floats[${c.float} * c + n] = ${step(c) >= 0 ? `cells[${step(c)}]` : 'NaN'};`);
    else if (kind === 'code')
      lines.push(
        `codes[${c.code} * c + n] = ${step(c) >= 0 ? `${codeOf[step(c)]} + ${c.column.codeOffset ?? 0}` : '0'};`,
      );
    else if (kind === 'hash')
      lines.push(
        `if (bar === null) codes[${c.code} * c + n] = 0; else {`,
        `codes[${c.code} * c + n] = 1;`,
        ...['ts', 'open', 'high', 'low', 'close', 'volume'].map(
          (f, k) => `floats[${c.float + k} * c + n] = bar.${f};`,
        ),
        '}',
      );
  }
  return new Function(
    'floats',
    'codes',
    'cells',
    'c',
    'n',
    'action',
    'reason',
    'side',
    'bar',
    lines.join('\n'),
  ) as Copy;
}

const COPY = copier();
/** The text lane a row's feature text goes to. */
const FEATURES = DECISIONS.column('features').text;

/**
 * Decision rows in lanes, filled from engine steps: the batch a backtest formats (here or on
 * workers) and the rows LIVE's journal appends. Every value lands where the schema says.
 */
export class StepBatch extends Batch<typeof DECISION_SCHEMA> implements DecisionSink {
  /** A step's numbers in NUMBER_* order (StepLog.numbersInto writes `fromCells` rows here). */
  readonly cells = new Float64Array(NUMBER_SLOTS);

  constructor(constants: DecisionConstants, capacity: number, recycled?: BatchData) {
    super(DECISIONS, constants, capacity, recycled);
  }

  decided(out: StepOutput, bar: Bar | null, features: string): void {
    const cells = this.cells;
    cells[NUMBER_TS] = out.ts;
    cells[NUMBER_CLOSE] = out.close;
    cells[NUMBER_STOP] = out.stop;
    cells[NUMBER_QTY] = out.qty;
    cells[NUMBER_FILL] = out.fillPrice;
    cells[NUMBER_EQUITY] = out.equity;
    this.put(cells, out.action, out.reason, out.side, bar, features);
  }

  /** The row of a bar's own slot, its numbers in `cells` (NUMBER_*: the backtest's common row). */
  fromCells(cells: Float64Array, action: number, reason: number, side: number, bar: Bar): void {
    this.put(cells, action, reason, side, bar, '');
  }

  missing(ts: number, out: StepOutput): void {
    const cells = this.cells;
    cells[NUMBER_TS] = ts;
    cells[NUMBER_CLOSE] = Number.NaN;
    cells[NUMBER_STOP] = out.gapStop;
    cells[NUMBER_QTY] = out.gapQty;
    cells[NUMBER_FILL] = Number.NaN;
    cells[NUMBER_EQUITY] = Number.NaN;
    this.put(cells, ACTION_CODE.skip, REASON_CODE.bar_missing, out.gapSide, null, '');
  }

  /** Copies `cells` and the codes into row `count`'s lanes (no double passed to a call: V8 boxes them). */
  private put(
    cells: Float64Array,
    action: number,
    reason: number,
    side: number,
    bar: Bar | null,
    features: string,
  ): void {
    const n = this.count++;
    COPY(this.floats, this.codes, cells, this.capacity, n, action, reason, side, bar);
    if (features !== '') this.texts[FEATURES * this.capacity + n] = features;
  }
}

/** Rows collected in a small batch, handed out as objects: the LIVE loop's few rows a bar. */
export class RowCollector implements DecisionSink {
  private readonly rows: DecisionRow[] = [];
  private readonly batch: StepBatch;

  constructor(stream: JournalStream, strategy: StrategyName, spec: string) {
    this.batch = new StepBatch(decisionConstants(stream, strategy, spec), 256);
  }

  decided(out: StepOutput, bar: Bar | null, features: string): void {
    this.batch.decided(out, bar, features);
    if (this.batch.full) this.spill();
  }

  missing(ts: number, out: StepOutput): void {
    this.batch.missing(ts, out);
    if (this.batch.full) this.spill();
  }

  private spill(): void {
    for (const row of this.batch.rows()) this.rows.push(row);
    this.batch.clear();
  }

  /** The rows collected since the last call. */
  take(): DecisionRow[] {
    this.spill();
    return this.rows.splice(0);
  }
}
