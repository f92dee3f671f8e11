/**
 * A schema's rows in columns (its layout) and as CSV cells: what batch.ts, line-writer.ts and
 * table.ts share, all derived from the schema's list.
 */
import { MjolnirError } from '../core/index.js';
import { barHashAt } from '../market/index.js';
import { badCell } from './cells.js';
import {
  type ColumnSpec,
  type ConstantsOf,
  DECISION_SCHEMA,
  type RowOf,
  type Schema,
  TRADE_SCHEMA,
} from './schema.js';

/** The bar's six values a `hash` column keeps, in lanes: ts, open, high, low, close, volume. */
export const BAR_LANES = 6;

/** Where a column's values are kept in a batch. */
export interface ColumnLayout {
  readonly column: ColumnSpec;
  /** Position in the row (the CSV cell index). */
  readonly index: number;
  /** Its first float lane (`ts`, `number`, `money`: one; `hash`: BAR_LANES), else -1. */
  readonly float: number;
  /** Its code lane (`code`; `hash`: 1 when the row has its bar), else -1. */
  readonly code: number;
  /** Its text lane (`text`; `hash`: the fingerprint given as text), else -1. */
  readonly text: number;
}

/** A schema with the lanes of its columns: a batch holds `floats`, `codes` and `texts` lanes of `capacity` rows. */
export class RowCodec<S extends Schema> {
  readonly columns: readonly ColumnLayout[];
  readonly floats: number;
  readonly codes: number;
  readonly texts: number;
  /** The header line's cells. */
  readonly names: readonly string[];
  /** The names of the `stream` and `run` columns (a run's fixed cells). */
  readonly fixed: readonly string[];
  /** The code of each label, by column name (`code` columns). */
  readonly codeOf: Readonly<Record<string, Readonly<Record<string, number>>>>;

  constructor(readonly schema: S) {
    let floats = 0;
    let codes = 0;
    let texts = 0;
    const codeOf: Record<string, Record<string, number>> = {};
    this.columns = schema.map((column, index) => {
      const { kind } = column;
      const floatLanes =
        kind === 'hash' ? BAR_LANES : kind === 'ts' || kind === 'number' || kind === 'money' ? 1 : 0;
      const layout = {
        column,
        index,
        float: floatLanes > 0 ? floats : -1,
        code: kind === 'code' || kind === 'hash' ? codes++ : -1,
        text: kind === 'text' || kind === 'hash' ? texts++ : -1,
      };
      floats += floatLanes;
      if (kind === 'code') {
        const labels = column.labels ?? [];
        if (labels.length === 0 || labels.length > 256)
          throw new MjolnirError(
            'invariant_violated',
            `column ${column.name}: a code column has 1..256 labels`,
          );
        codeOf[column.name] = Object.fromEntries(labels.map((label, code) => [label, code]));
      }
      return layout;
    });
    this.floats = floats;
    this.codes = codes;
    this.texts = texts;
    this.names = schema.map((column) => column.name);
    this.fixed = schema.filter((c) => c.kind === 'stream' || c.kind === 'run').map((c) => c.name);
    this.codeOf = codeOf;
    const time = this.columns.find((c) => c.column.kind === 'time');
    if (time !== undefined && !this.columns.some((c) => c.column.kind === 'ts'))
      throw new MjolnirError('invariant_violated', 'a time column needs a ts column before it');
  }

  /** The layout of column `name`. */
  column(name: string): ColumnLayout {
    const found = this.columns.find((c) => c.column.name === name);
    if (found === undefined) throw new MjolnirError('invariant_violated', `no column ${name}`);
    return found;
  }

  /** The `stream` and `run` cells of a row. */
  constantsOf(row: RowOf<S>): ConstantsOf<S> {
    const values = row as unknown as Record<string, string>;
    return Object.fromEntries(this.fixed.map((name) => [name, values[name]!])) as ConstantsOf<S>;
  }

  /** Whether a row's `stream` and `run` cells are `constants`. */
  hasConstants(row: RowOf<S>, constants: ConstantsOf<S>): boolean {
    const values = row as unknown as Record<string, string>;
    const fixed = constants as Record<string, string>;
    return this.fixed.every((name) => values[name] === fixed[name]);
  }

  /**
   * A row from its CSV cells (every column, in order; `time` cells are not read back), each checked:
   * a bad one is an error naming `where()` and the column.
   */
  decode(cells: readonly string[], where: () => string): RowOf<S> {
    if (cells.length !== this.columns.length)
      throw badCell.fields(where(), this.columns.length, cells.length);
    const row: Record<string, string | number> = {};
    for (const { column, index } of this.columns) {
      if (column.kind === 'time') continue;
      row[column.name] = decodeCell(column, cells[index]!, where);
    }
    return row as RowOf<S>;
  }
}

/** One cell's value by its column's kind. */
export function decodeCell(column: ColumnSpec, text: string, where: () => string): string | number {
  switch (column.kind) {
    case 'ts': {
      const value = Number(text);
      if (text === '' || !Number.isSafeInteger(value)) throw badCell.ts(where(), column.name, text);
      return value;
    }
    case 'number':
    case 'money': {
      if (text === '') return Number.NaN;
      const value = Number(text);
      if (Number.isNaN(value)) throw badCell.number(where(), column.name, text);
      return value;
    }
    case 'code': {
      const labels = column.labels!;
      if (!labels.includes(text)) throw badCell.code(where(), column.name, text, labels);
      return text;
    }
    default:
      return text;
  }
}

/** The fingerprint of the bar a `hash` column's lanes hold for row `n` (from its first float lane). */
export function hashOfLanes(floats: Float64Array, capacity: number, first: number, n: number): string {
  return barHashAt(floats, first * capacity + n, capacity);
}

/** decisions.csv's codec. */
export const DECISIONS = new RowCodec(DECISION_SCHEMA);
/** trades.csv's codec. */
export const TRADES = new RowCodec(TRADE_SCHEMA);
