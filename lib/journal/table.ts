import { MjolnirError } from '../core/index.js';
import { codeCell, dictionaryCell, numberCell, Recent, split, tsCell } from './cells.js';
import { CodeColumn, Dictionary, NumberColumn } from './columns.js';
import { decisionLines } from './lines.js';
import { type ColumnLayout, DECISIONS } from './row-codec.js';
import type { DECISION_SCHEMA, DecisionRow } from './schema.js';

/** Where a table's rows came from, to read a row's cells back (the long cells are not kept). */
export interface LineSource {
  /** The cells of the line starting at `offset`. */
  fields(offset: number): readonly string[];
}

type Column = (typeof DECISION_SCHEMA)[number];
type NumberName = Extract<Column, { kind: 'number' | 'money' }>['name'];
type CodeName = Extract<Column, { kind: 'code' }>['name'];

/** What the table keeps of the schema's columns, and where each is in a line. */
const KEPT = (() => {
  const of = (...kinds: string[]) => DECISIONS.columns.filter((c) => kinds.includes(c.column.kind));
  const ts = of('ts')[0]!;
  const codes = of('code');
  /** Runs of consecutive fixed cells (exchange,symbol,timeframe; strategy,model_id,spec): one dictionary each. */
  const groups: ColumnLayout[][] = [];
  for (const c of of('stream', 'run')) {
    const last = groups.at(-1);
    if (last !== undefined && last.at(-1)!.index === c.index - 1 && last[0]!.column.kind === c.column.kind)
      last.push(c);
    else groups.push([c]);
  }
  return {
    ts,
    /** Each code column with its label -> code map (looked up once, not per line). */
    codes: codes.map((c) => ({
      ...c,
      name: c.column.name,
      labels: c.column.labels!,
      of: DECISIONS.codeOf[c.column.name]!,
    })),
    numbers: of('number', 'money').map((c) => ({ ...c, name: c.column.name })),
    groups,
    /** The cells that tell decisions apart: up to the last of ts and the codes. */
    prefix: Math.max(ts.index, ...codes.map((c) => c.index)) + 1,
  };
})();

/**
 * A decisions.csv as typed columns: what health checks, dashboards, notebooks and eq read, without a
 * row object per decision. The columns kept are the schema's (schema.ts): its timestamp, a CodeColumn
 * per code, a NumberColumn per number; the long cells (input hash, features) are not kept: `row(i)`
 * reads its line back from the source. Rows are validated as they are taken in (a bad one is an
 * error naming file and line) and must be strictly increasing in ts_ms.
 */
export class DecisionTable {
  readonly ts = new NumberColumn();
  /** Each `code` column's codes (the index of its label in the schema). */
  readonly codes = Object.fromEntries(KEPT.codes.map((c) => [c.column.name, new CodeColumn()])) as {
    readonly [K in CodeName]: CodeColumn;
  };
  /** Each `number` and `money` column. */
  readonly numbers = Object.fromEntries(KEPT.numbers.map((c) => [c.column.name, new NumberColumn()])) as {
    readonly [K in NumberName]: NumberColumn;
  };
  readonly action = this.codes.action;
  readonly reason = this.codes.reason;
  /** POSITION_CODE: 0 short, 1 flat, 2 long. */
  readonly position = this.codes.position;
  readonly close = this.numbers.close;
  readonly stop = this.numbers.stop;
  readonly qty = this.numbers.qty;
  readonly fill = this.numbers.fill_price;
  readonly equity = this.numbers.equity;
  /** Byte offset of each row's line in its source. */
  private readonly offsets = new NumberColumn();
  /** 1-based line number of the first row (the header is line 1; a piece of a file starts later). */
  private readonly firstLine: number;
  /** Row indexes before which `appendLenient` left a bad line out (rare: a damaged journal). */
  private readonly skipped: number[] = [];
  private readonly codeColumns = KEPT.codes.map((c) => this.codes[c.column.name as CodeName]);
  private readonly numberColumns = KEPT.numbers.map((c) => this.numbers[c.column.name as NumberName]);
  private readonly dictionaries = KEPT.groups.map(() => ({
    values: new Dictionary(),
    of: new CodeColumn(),
    recent: new Recent(),
  }));
  private readonly recentCodes = KEPT.codes.map(() => new Recent());
  /** Where the line being parsed is, for a message (the row it would be: the table's length). */
  private readonly where = () => `${this.path}:${this.lineOf(this.length)}`;
  /** A line's values, checked before any is kept (reused). */
  private readonly scratch = {
    codes: new Int32Array(KEPT.codes.length),
    numbers: new Float64Array(KEPT.numbers.length),
    groups: new Int32Array(KEPT.groups.length),
  };

  /**
   * `numbers: false` takes in only what tells decisions apart (ts_ms and the codes): the other
   * columns stay empty and `row(i)` reads them back from the source (eq reads two journals this way,
   * a third of the work).
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
    const where = this.where;
    const numbers = this.hasNumbers;
    split(text, start, end, numbers ? DECISIONS.names.length : KEPT.prefix, where, !numbers);
    const ts = tsCell(text, KEPT.ts.index, where, KEPT.ts.column.name);
    if (!(ts > this.lastTs))
      throw new MjolnirError(
        'not_monotonic',
        `${where()}: ${KEPT.ts.column.name} ${ts} is not after ${this.lastTs} (line ${this.lineOf(this.length - 1)})`,
      );
    const codes = this.scratch.codes;
    for (let k = 0; k < KEPT.codes.length; k++) {
      const code = KEPT.codes[k]!;
      codes[k] = codeCell(text, code.index, code.of, code.labels, where, code.name, this.recentCodes[k]);
    }
    if (numbers) this.parseRest(text, where);
    this.ts.push(ts);
    for (let k = 0; k < codes.length; k++) this.codeColumns[k]!.push(codes[k]!);
    this.offsets.push(offset);
  }

  /** The numeric and fixed cells of the line `split` has just cut (validated before any is kept). */
  private parseRest(text: string, where: () => string): void {
    const { numbers, groups } = this.scratch;
    for (let k = 0; k < KEPT.numbers.length; k++) {
      const number = KEPT.numbers[k]!;
      numbers[k] = numberCell(text, number.index, where, number.name);
    }
    for (let g = 0; g < KEPT.groups.length; g++) {
      const group = KEPT.groups[g]!;
      const dictionary = this.dictionaries[g]!;
      groups[g] = dictionaryCell(
        text,
        group[0]!.index,
        group.at(-1)!.index,
        dictionary.values,
        dictionary.recent,
      );
    }
    for (let g = 0; g < groups.length; g++) this.dictionaries[g]!.of.push(groups[g]!);
    for (let k = 0; k < numbers.length; k++) this.numberColumns[k]!.push(numbers[k]!);
  }

  /** Row `i` as a plain object (its line read back from the source for the cells not kept). */
  row(i: number): DecisionRow & { line: number } {
    if (!this.hasNumbers) return this.rowFromLine(i);
    const fields = this.source.fields(this.offsets.get(i));
    const row: Record<string, string | number> = { line: this.lineOf(i) };
    row[KEPT.ts.column.name] = this.ts.get(i);
    KEPT.codes.forEach(({ column }, k) => {
      row[column.name] = column.labels![this.codeColumns[k]!.get(i)]!;
    });
    KEPT.numbers.forEach(({ column }, k) => {
      row[column.name] = this.numberColumns[k]!.get(i);
    });
    KEPT.groups.forEach((group, g) => {
      const dictionary = this.dictionaries[g]!;
      const cells = dictionary.values.values[dictionary.of.get(i)]!.split(',');
      group.forEach(({ column }, k) => {
        row[column.name] = cells[k]!;
      });
    });
    for (const { column, index } of DECISIONS.columns)
      if (column.kind === 'hash' || column.kind === 'text') row[column.name] = fields[index] ?? '';
    return row as unknown as DecisionRow & { line: number };
  }

  /** Row `i` parsed whole from its line (a table without numeric columns). */
  private rowFromLine(i: number): DecisionRow & { line: number } {
    const cells = this.source.fields(this.offsets.get(i));
    const line = this.lineOf(i);
    return { line, ...DECISIONS.decode(cells, () => `${this.path}:${line}`) };
  }

  /**
   * A table of rows already in memory (a test's, an engine run's), validated as a journal's would be,
   * the rows written as a journal writes them first. `path` names them in errors.
   */
  static fromRows(path: string, rows: readonly DecisionRow[]): DecisionTable {
    const text = decisionLines(rows);
    const lines = text === '' ? [] : text.slice(0, -1).split('\n');
    const table = new DecisionTable(path, { fields: (i) => lines[i]!.split(',') });
    lines.forEach((line, i) => {
      table.parse(line, 0, line.length, i);
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
