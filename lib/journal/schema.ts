/**
 * The journals' columns, each named once with its kind: the one place a column is added. The CSV
 * header, the row types, the columnar batch, the byte writer and the parsers are all derived from
 * these lists (row-codec.ts, batch.ts, table.ts), in this order, which is the CSV contract
 * (docs/contracts.md).
 */
import {
  ACTIONS,
  NUMBER_CLOSE,
  NUMBER_EQUITY,
  NUMBER_FILL,
  NUMBER_QTY,
  NUMBER_STOP,
  NUMBER_TS,
  REASONS,
} from '../engine/index.js';
import type { TsMs } from '../time/index.js';

/**
 * What a column holds, and so how it is written and read:
 * - `stream`: text fixed for a journal (its exchange, symbol, timeframe);
 * - `run`: text fixed for a run of rows (the strategy, its model, the spec);
 * - `ts`: an integer millisecond timestamp;
 * - `code`: one of `labels` (held as its index on hot paths);
 * - `number`: a double as `String(x)`, NaN the empty cell; `money` likewise, rounded to 8 decimals;
 * - `hash`: a bar's fingerprint (lib/market/hash.ts), taken from the bar where it is written, or text;
 * - `text`: free text without commas or newlines;
 * - `time`: the ISO-8601 UTC time of the row's timestamp, its first `ts` column (derived: not part of a row).
 */
export type ColumnKind = 'stream' | 'run' | 'ts' | 'code' | 'number' | 'money' | 'hash' | 'text' | 'time';

/** One column of a journal. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** A `code` column's values, in code order. */
  readonly labels?: readonly string[];
  /**
   * Where an engine step carries this column's value: a number's slot in StepLog.numbersInto's
   * NUMBER_*, a code's STEP_* (step-rows.ts copies them; a column without one is left empty).
   */
  readonly step?: number;
  /** A value that stays the same row after row (a held stop, a size): its text is kept and copied. */
  readonly repeats?: boolean;
  /** Added to the code read from the step (a side, -1..1, is code side + 1). */
  readonly codeOffset?: number;
}

export type Schema = readonly ColumnSpec[];

type ValueOf<C extends ColumnSpec> = C['kind'] extends 'ts'
  ? TsMs
  : C['kind'] extends 'number' | 'money'
    ? number
    : C extends { readonly labels: readonly (infer L)[] }
      ? L
      : string;

/** A row of a schema: one property per column, the derived `time` columns left out. */
export type RowOf<S extends Schema> = {
  readonly [C in S[number] as C['kind'] extends 'time' ? never : C['name']]: ValueOf<C>;
};

/** The columns of a schema's rows that are the same for a whole journal or run (`stream`, `run`). */
export type ConstantsOf<S extends Schema> = {
  readonly [C in S[number] as C['kind'] extends 'stream' | 'run' ? C['name'] : never]: string;
};

/** The names of a schema's columns, in order (the CSV header). */
export function columnNames<const S extends Schema>(schema: S): { readonly [K in keyof S]: S[K]['name'] } {
  return schema.map((column) => column.name) as { readonly [K in keyof S]: S[K]['name'] };
}

/** A step's codes, for `code` columns' `step`. */
export const STEP_ACTION = 0;
export const STEP_REASON = 1;
export const STEP_SIDE = 2;

/** A position as journals write it: its code is the side + 1. */
export const POSITIONS = ['short', 'flat', 'long'] as const;
export const POSITION_CODE = { short: 0, flat: 1, long: 2 } as const;

/** Why a trade closed (engine Trade['exit_reason']), in code order. */
export const EXIT_REASONS = ['exit_signal', 'stop_hit', 'kill_switch_flatten', 'reverse_signal'] as const;
/** A trade's side as written; the engine's side (1, -1) maps to code (1 - side) / 2. */
export const TRADE_SIDES = ['long', 'short'] as const;

/** decisions.csv. The first four are relied on by operators (`awk -F, '$4==TS'`): add columns later on. */
export const DECISION_SCHEMA = [
  { name: 'exchange', kind: 'stream' },
  { name: 'symbol', kind: 'stream' },
  { name: 'timeframe', kind: 'stream' },
  { name: 'ts_ms', kind: 'ts', step: NUMBER_TS },
  { name: 'action', kind: 'code', labels: ACTIONS, step: STEP_ACTION },
  { name: 'reason', kind: 'code', labels: REASONS, step: STEP_REASON },
  { name: 'position', kind: 'code', labels: POSITIONS, step: STEP_SIDE, codeOffset: 1 },
  { name: 'close', kind: 'number', step: NUMBER_CLOSE },
  { name: 'stop', kind: 'number', step: NUMBER_STOP, repeats: true },
  { name: 'qty', kind: 'number', step: NUMBER_QTY, repeats: true },
  { name: 'fill_price', kind: 'number', step: NUMBER_FILL },
  /** Capital plus realised and unrealised PnL at this bar's close (NaN without a close): the equity curve. */
  { name: 'equity', kind: 'money', step: NUMBER_EQUITY },
  /** Fingerprint of the bar decided; empty when there was no bar. */
  { name: 'input_hash', kind: 'hash' },
  /** The strategy's feature values, `name=value;...` (written when a run explains its decisions). */
  { name: 'features', kind: 'text' },
  { name: 'strategy', kind: 'run' },
  /** The trained model a model strategy decided with (its content hash, `models/<model_id>/`); empty otherwise. */
  { name: 'model_id', kind: 'run' },
  /** Fingerprint of the engine spec (config) the decision was made under. */
  { name: 'spec', kind: 'run' },
  { name: 'time_utc', kind: 'time' },
] as const satisfies Schema;

/** trades.csv. */
export const TRADE_SCHEMA = [
  { name: 'exchange', kind: 'stream' },
  { name: 'symbol', kind: 'stream' },
  { name: 'timeframe', kind: 'stream' },
  { name: 'entry_ts_ms', kind: 'ts' },
  { name: 'exit_ts_ms', kind: 'ts' },
  { name: 'side', kind: 'code', labels: TRADE_SIDES },
  { name: 'entry_price', kind: 'number' },
  { name: 'exit_price', kind: 'number' },
  { name: 'qty', kind: 'number' },
  { name: 'exit_reason', kind: 'code', labels: EXIT_REASONS },
  /** Net of both fills' fees. */
  { name: 'pnl', kind: 'number' },
  { name: 'fees', kind: 'number' },
] as const satisfies Schema;

/** decisions.csv columns (the header). */
export const DECISION_COLUMNS = columnNames(DECISION_SCHEMA);
/** trades.csv columns (the header). */
export const TRADE_COLUMNS = columnNames(TRADE_SCHEMA);

/** One decisions.csv row. */
export type DecisionRow = RowOf<typeof DECISION_SCHEMA>;
/** One trades.csv row. */
export type TradeRow = RowOf<typeof TRADE_SCHEMA>;
