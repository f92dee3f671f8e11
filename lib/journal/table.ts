import { MjolnirError } from '../core/index.js';
import { ACTION_CODE, ACTIONS, REASON_CODE, REASONS } from '../engine/index.js';
import type { TsMs } from '../time/index.js';
import { CodeColumn, Dictionary, NumberColumn } from './columns.js';
import { DECISION_COLUMNS, type DecisionRow } from './decisions.js';
import { TRADE_COLUMNS, type TradeRow } from './trades.js';

/** Where a table's rows came from, to read a row's cells back (the long cells are not kept). */
export interface LineSource {
  /** The cells of the line starting at `offset`. */
  fields(offset: number): readonly string[];
}

/** Where the commas of the line being parsed are (reused: no allocation per line). */
const commas = new Int32Array(32);

/**
 * Splits one line into `count` fields (positions in `commas`), or an error naming the place. With
 * `prefix`, only the first `count` fields are found (the line must have at least that many).
 */
function split(
  text: string,
  start: number,
  end: number,
  count: number,
  where: () => string,
  prefix = false,
): void {
  let n = 0;
  let at = start - 1;
  commas[n++] = at;
  for (;;) {
    at = text.indexOf(',', at + 1);
    if (at < 0 || at >= end) break;
    if (n === count) break;
    commas[n++] = at;
  }
  if (prefix && n === count) {
    commas[n] = at >= 0 && at < end ? at : end;
    return;
  }
  if (n !== count || (at >= 0 && at < end))
    throw new MjolnirError(
      'data_invalid',
      `${where()}: expected ${count} fields, found ${text.slice(start, end).split(',').length}`,
    );
  commas[n] = end;
}

const cell = (text: string, i: number) => text.slice(commas[i]! + 1, commas[i + 1]!);

/** A journal number ('' is NaN); anything else unparsable is an error at that line. */
function numberCell(text: string, i: number, where: () => string, column: string): number {
  const from = commas[i]! + 1;
  const to = commas[i + 1]!;
  if (from === to) return Number.NaN;
  const value = Number(text.slice(from, to));
  if (Number.isNaN(value))
    throw new MjolnirError('data_invalid', `${where()}: ${column} "${text.slice(from, to)}" is not a number`);
  return value;
}

function tsCell(text: string, i: number, where: () => string, column: string): number {
  const value = Number(cell(text, i));
  if (!Number.isSafeInteger(value) || commas[i]! + 1 === commas[i + 1]!)
    throw new MjolnirError(
      'data_invalid',
      `${where()}: ${column} "${cell(text, i)}" is not an integer ms timestamp`,
    );
  return value;
}

/**
 * Remembers a column's last cell and its code: journals repeat themselves (hold/no_signal/flat row
 * after row, one stream, one strategy), so most cells are recognised in place, without a substring.
 */
class Recent {
  private text = '\u0000';
  private code = -1;

  /** The code of cell `i` when it is the same text as the last one, else -1. */
  match(text: string, i: number): number {
    const from = commas[i]! + 1;
    return commas[i + 1]! - from === this.text.length && text.startsWith(this.text, from) ? this.code : -1;
  }

  remember(text: string, code: number): number {
    this.text = text;
    this.code = code;
    return code;
  }
}

function codeCell<T extends string>(
  text: string,
  i: number,
  codes: Readonly<Record<T, number>>,
  allowed: readonly T[],
  where: () => string,
  column: string,
  recent?: Recent,
): number {
  const known = recent?.match(text, i) ?? -1;
  if (known >= 0) return known;
  const value = cell(text, i);
  const code = (codes as Record<string, number>)[value];
  if (code === undefined || !Object.hasOwn(codes, value))
    throw new MjolnirError(
      'data_invalid',
      `${where()}: ${column} "${value}" is not one of ${allowed.join(', ')}`,
    );
  return recent === undefined ? code : recent.remember(value, code);
}

/** A dictionary code for cells [first, last] joined (their commas included), recognised in place when repeated. */
function dictionaryCell(
  text: string,
  first: number,
  last: number,
  dictionary: Dictionary,
  recent: Recent,
): number {
  const from = commas[first]! + 1;
  const to = commas[last + 1]!;
  const saved = commas[first + 1]!;
  commas[first + 1] = to;
  const known = recent.match(text, first);
  commas[first + 1] = saved;
  if (known >= 0) return known;
  const value = text.slice(from, to);
  return recent.remember(value, dictionary.code(value));
}

/** A row's cells joined as a line (the cells the table keeps: the long ones stay with the source). */
function lineOf(row: DecisionRow): string {
  const number = (x: number) => (Number.isNaN(x) ? '' : String(x));
  return [
    row.exchange,
    row.symbol,
    row.timeframe,
    row.ts_ms,
    row.action,
    row.reason,
    row.position,
    number(row.close),
    number(row.stop),
    number(row.qty),
    number(row.fill_price),
    number(row.equity),
    '',
    '',
    row.strategy,
    row.model_id,
    row.spec,
    '',
  ].join(',');
}

const POSITIONS = ['flat', 'long', 'short'] as const;
const POSITION_CODE = { flat: 0, long: 1, short: 2 } as const;
const SIDES = ['long', 'short'] as const;
const SIDE_CODE = { long: 0, short: 1 } as const;
const EXIT_REASONS = ['exit_signal', 'stop_hit', 'kill_switch_flatten', 'reverse_signal'] as const;
const EXIT_CODE = { exit_signal: 0, stop_hit: 1, kill_switch_flatten: 2, reverse_signal: 3 } as const;

/** Checks a journal's header line. */
export function checkHeader(line: string, header: readonly string[], path: string): void {
  if (line === header.join(',')) return;
  const older = header.includes('model_id') && line === header.filter((c) => c !== 'model_id').join(',');
  throw new MjolnirError(
    'data_invalid',
    older
      ? `${path}:1: this journal was written before decisions gained their model_id column (after strategy); ` +
          'it is left as it is: move its run aside or use a new DATA_TAG to start a new journal'
      : `${path}:1: header is "${line}", expected "${header.join(',')}"`,
  );
}

/**
 * A decisions.csv as typed columns: what health checks, dashboards, notebooks and eq read, without a
 * row object per decision. The long cells (input hash, features) are not kept: `row(i)` reads its
 * line back from the source. Rows are validated as they are taken in (a bad one is an error naming
 * file and line) and must be strictly increasing in ts_ms.
 */
export class DecisionTable {
  readonly ts = new NumberColumn();
  readonly action = new CodeColumn();
  readonly reason = new CodeColumn();
  /** 0 flat, 1 long, 2 short. */
  readonly position = new CodeColumn();
  readonly close = new NumberColumn();
  readonly stop = new NumberColumn();
  readonly qty = new NumberColumn();
  readonly fill = new NumberColumn();
  readonly equity = new NumberColumn();
  /** Byte offset of each row's line in its source. */
  private readonly offsets = new NumberColumn();
  /** 1-based line number of the first row (the header is line 1; a piece of a file starts later). */
  private readonly firstLine: number;
  /** Row indexes before which `appendLenient` left a bad line out (rare: a damaged journal). */
  private readonly skipped: number[] = [];
  private readonly streams = new Dictionary();
  private readonly streamOf = new CodeColumn();
  private readonly strategies = new Dictionary();
  private readonly strategyOf = new CodeColumn();
  private readonly recent = {
    action: new Recent(),
    reason: new Recent(),
    position: new Recent(),
    stream: new Recent(),
    strategy: new Recent(),
  };

  /**
   * `numbers: false` takes in only what tells decisions apart (ts_ms, action, reason, position): the
   * numeric columns stay empty and `row(i)` reads them back from the source (eq reads two journals
   * this way, a third of the work).
   */
  constructor(
    readonly path: string,
    private readonly source: LineSource,
    private readonly options: { readonly numbers?: boolean; readonly firstLine?: number } = {},
  ) {
    this.firstLine = options.firstLine ?? 2;
  }

  /** Whether the numeric columns (close, stop, qty, fill, equity) are filled. */
  get hasNumbers(): boolean {
    return this.options.numbers !== false;
  }

  get length(): number {
    return this.ts.length;
  }

  /** The ts_ms of the last row, or -Infinity. */
  get lastTs(): number {
    return this.length === 0 ? Number.NEGATIVE_INFINITY : this.ts.get(this.length - 1);
  }

  /**
   * Takes in the complete lines of `text` (each ending in a newline), `offset` being the byte offset
   * of text[0] in the source (journals are ASCII: bytes and characters count alike).
   */
  append(text: string, offset: number): number {
    const before = this.length;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end < 0) throw new MjolnirError('invariant_violated', 'DecisionTable.append takes whole lines');
      this.parse(text, start, end, offset + start);
      start = end + 1;
    }
    return this.length - before;
  }

  /**
   * Takes in the complete lines of `text` like `append`, but a line that does not read as a decision
   * (wrong field count, a bad cell, out of order) is left out and told to `onBad` with its error, the
   * table unchanged by it: what a dashboard or a healthcheck does with a damaged live journal.
   */
  appendLenient(text: string, offset: number, onBad: (error: MjolnirError, line: number) => void): number {
    const before = this.length;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end < 0) throw new MjolnirError('invariant_violated', 'DecisionTable.append takes whole lines');
      try {
        this.parse(text, start, end, offset + start);
      } catch (error) {
        if (!(error instanceof MjolnirError) || error.category === 'invariant') throw error;
        onBad(error, this.lineOf(this.length));
        this.skipped.push(this.length);
      }
      start = end + 1;
    }
    return this.length - before;
  }

  /** The 1-based line number of row `i` in its source (lines left out by `appendLenient` counted). */
  lineOf(i: number): number {
    let line = this.firstLine + i;
    for (const at of this.skipped) if (at <= i) line++;
    return line;
  }

  /** Validates every cell of the line first, then takes it in: a bad line leaves the table as it was. */
  private parse(text: string, start: number, end: number, offset: number): void {
    // Numbered only when a message needs it: the hot path pays nothing for line numbers.
    const row = this.length;
    const where = () => `${this.path}:${this.lineOf(row)}`;
    const numbers = this.hasNumbers;
    split(text, start, end, numbers ? DECISION_COLUMNS.length : 7, where, !numbers);
    const ts = tsCell(text, 3, where, 'ts_ms');
    if (!(ts > this.lastTs))
      throw new MjolnirError(
        'not_monotonic',
        `${where()}: ts_ms ${ts} is not after ${this.lastTs} (line ${this.lineOf(this.length - 1)})`,
      );
    const recent = this.recent;
    const action = codeCell(text, 4, ACTION_CODE, ACTIONS, where, 'action', recent.action);
    const reason = codeCell(text, 5, REASON_CODE, REASONS, where, 'reason', recent.reason);
    const position = codeCell(text, 6, POSITION_CODE, POSITIONS, where, 'position', recent.position);
    if (numbers) this.parseRest(text, where);
    this.ts.push(ts);
    this.action.push(action);
    this.reason.push(reason);
    this.position.push(position);
    this.offsets.push(offset);
  }

  /** The numeric and dictionary cells of the line `split` has just cut (validated before any is kept). */
  private parseRest(text: string, where: () => string): void {
    const recent = this.recent;
    const close = numberCell(text, 7, where, 'close');
    const stop = numberCell(text, 8, where, 'stop');
    const qty = numberCell(text, 9, where, 'qty');
    const fill = numberCell(text, 10, where, 'fill_price');
    const equity = numberCell(text, 11, where, 'equity');
    this.streamOf.push(dictionaryCell(text, 0, 2, this.streams, recent.stream));
    this.strategyOf.push(dictionaryCell(text, 14, 16, this.strategies, recent.strategy));
    this.close.push(close);
    this.stop.push(stop);
    this.qty.push(qty);
    this.fill.push(fill);
    this.equity.push(equity);
  }

  /** Row `i` as a plain object (its line read back from the source for the long cells). */
  row(i: number): DecisionRow & { line: number } {
    if (!this.hasNumbers) return this.rowFromLine(i);
    const [exchange, symbol, timeframe] = this.streams.values[this.streamOf.get(i)]!.split(',');
    const [strategy, modelId, spec] = this.strategies.values[this.strategyOf.get(i)]!.split(',');
    const fields = this.source.fields(this.offsets.get(i));
    return {
      line: this.lineOf(i),
      exchange: exchange!,
      symbol: symbol!,
      timeframe: timeframe!,
      ts_ms: this.ts.get(i) as TsMs,
      action: ACTIONS[this.action.get(i)]!,
      reason: REASONS[this.reason.get(i)]!,
      position: POSITIONS[this.position.get(i)]!,
      close: this.close.get(i),
      stop: this.stop.get(i),
      qty: this.qty.get(i),
      fill_price: this.fill.get(i),
      equity: this.equity.get(i),
      input_hash: fields[12] ?? '',
      features: fields[13] ?? '',
      strategy: strategy!,
      model_id: modelId!,
      spec: spec!,
    };
  }

  /** Row `i` parsed whole from its line (a table without numeric columns). */
  private rowFromLine(i: number): DecisionRow & { line: number } {
    const line = this.source.fields(this.offsets.get(i)).join(',');
    const where = () => `${this.path}:${this.lineOf(i)}`;
    split(line, 0, line.length, DECISION_COLUMNS.length, where);
    const number = (cellIndex: number, column: string) => numberCell(line, cellIndex, where, column);
    return {
      line: this.lineOf(i),
      exchange: cell(line, 0),
      symbol: cell(line, 1),
      timeframe: cell(line, 2),
      ts_ms: this.ts.get(i) as TsMs,
      action: ACTIONS[this.action.get(i)]!,
      reason: REASONS[this.reason.get(i)]!,
      position: POSITIONS[this.position.get(i)]!,
      close: number(7, 'close'),
      stop: number(8, 'stop'),
      qty: number(9, 'qty'),
      fill_price: number(10, 'fill_price'),
      equity: number(11, 'equity'),
      input_hash: cell(line, 12),
      features: cell(line, 13),
      strategy: cell(line, 14),
      model_id: cell(line, 15),
      spec: cell(line, 16),
    };
  }

  /**
   * A table of rows already in memory (a test's, an engine run's), validated as a journal's would be.
   * `path` names them in errors.
   */
  static fromRows(path: string, rows: readonly DecisionRow[]): DecisionTable {
    const table = new DecisionTable(path, {
      fields: (i) => {
        const cells = new Array<string>(DECISION_COLUMNS.length).fill('');
        cells[12] = rows[i]!.input_hash;
        cells[13] = rows[i]!.features;
        return cells;
      },
    });
    rows.forEach((row, i) => {
      table.parse(lineOf(row), 0, lineOf(row).length, i);
    });
    return table;
  }

  /** Every row as plain objects (small journals, tests). */
  rows(): (DecisionRow & { line: number })[] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }

  /** The index of the first row with ts_ms >= `ts` (rows are strictly increasing). */
  firstFrom(ts: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts.get(mid) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A trades.csv as rows: a journal has a trade per few dozen decisions, rows are cheap enough. */
export class TradeTable {
  readonly rows: (TradeRow & { line: number })[] = [];
  private readonly firstLine = 2;

  constructor(readonly path: string) {}

  get length(): number {
    return this.rows.length;
  }

  /** Takes in the complete lines of `text` (see DecisionTable.append). */
  append(text: string): number {
    const before = this.rows.length;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end < 0) throw new MjolnirError('invariant_violated', 'TradeTable.append takes whole lines');
      this.rows.push(this.parse(text, start, end));
      start = end + 1;
    }
    return this.rows.length - before;
  }

  private parse(text: string, start: number, end: number): TradeRow & { line: number } {
    const line = this.firstLine + this.rows.length;
    const where = () => `${this.path}:${line}`;
    split(text, start, end, TRADE_COLUMNS.length, where);
    const side = codeCell(text, 5, SIDE_CODE, SIDES, where, 'side');
    const exitReason = EXIT_REASONS[codeCell(text, 9, EXIT_CODE, EXIT_REASONS, where, 'exit_reason')]!;
    return {
      line,
      exchange: cell(text, 0),
      symbol: cell(text, 1),
      timeframe: cell(text, 2),
      entry_ts_ms: tsCell(text, 3, where, 'entry_ts_ms'),
      exit_ts_ms: tsCell(text, 4, where, 'exit_ts_ms'),
      side: SIDES[side]!,
      entry_price: numberCell(text, 6, where, 'entry_price'),
      exit_price: numberCell(text, 7, where, 'exit_price'),
      qty: numberCell(text, 8, where, 'qty'),
      exit_reason: exitReason,
      pnl: numberCell(text, 10, where, 'pnl'),
      fees: numberCell(text, 11, where, 'fees'),
    };
  }
}
