/**
 * Reading journal lines in place: a line's commas found once into a reused array, each cell checked
 * and recognised without a substring where it repeats. What the tables (table.ts, trade-table.ts) parse with.
 */
import { MjolnirError } from '../core/index.js';
import type { Dictionary } from './columns.js';

/**
 * The ways a cell or a line can be bad, worded once: the in-place parsers here, RowCodec.decode (whole
 * rows) and parseNumber say the same thing of the same cell. `where` is the file and line.
 */
export const badCell = {
  fields: (where: string, expected: number, found: number) =>
    new MjolnirError('data_invalid', `${where}: expected ${expected} fields, found ${found}`),
  ts: (where: string, column: string, text: string) =>
    new MjolnirError('data_invalid', `${where}: ${column} "${text}" is not an integer ms timestamp`),
  number: (where: string, column: string, text: string) =>
    new MjolnirError('data_invalid', `${where}: ${column} "${text}" is not a number`),
  code: (where: string, column: string, text: string, labels: readonly string[]) =>
    new MjolnirError('data_invalid', `${where}: ${column} "${text}" is not one of ${labels.join(', ')}`),
};

/** Where the commas of the line being parsed are (reused: no allocation per line). */
export const commas = new Int32Array(64);

/**
 * Splits one line into `count` fields (positions in `commas`), or an error naming the place. With
 * `prefix`, only the first `count` fields are found (the line must have at least that many).
 */
export function split(
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
    throw badCell.fields(where(), count, text.slice(start, end).split(',').length);
  commas[n] = end;
}

export const cell = (text: string, i: number) => text.slice(commas[i]! + 1, commas[i + 1]!);

/** A journal number ('' is NaN); anything else unparsable is an error at that line. */
export function numberCell(text: string, i: number, where: () => string, column: string): number {
  const from = commas[i]! + 1;
  const to = commas[i + 1]!;
  if (from === to) return Number.NaN;
  const value = Number(text.slice(from, to));
  if (Number.isNaN(value)) throw badCell.number(where(), column, text.slice(from, to));
  return value;
}

/**
 * An integer ms timestamp. Plain digits (every journal's) are read in place, no substring; anything
 * else goes through Number, and must still be a safe integer.
 */
export function tsCell(text: string, i: number, where: () => string, column: string): number {
  const from = commas[i]! + 1;
  const to = commas[i + 1]!;
  let digits = 0;
  if (to - from <= 15 && to > from) {
    for (let k = from; k < to; k++) {
      const d = text.charCodeAt(k) - 48;
      if (d < 0 || d > 9) {
        digits = -1;
        break;
      }
      digits = digits * 10 + d;
    }
    if (digits >= 0) return digits;
  }
  const value = Number(cell(text, i));
  if (!Number.isSafeInteger(value) || commas[i]! + 1 === commas[i + 1]!)
    throw badCell.ts(where(), column, cell(text, i));
  return value;
}

/**
 * Remembers a column's last cell and its code: journals repeat themselves (hold/no_signal/flat row
 * after row, one stream, one strategy), so most cells are recognised in place, without a substring.
 */
export class Recent {
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

export function codeCell<T extends string>(
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
  if (code === undefined || !Object.hasOwn(codes, value)) throw badCell.code(where(), column, value, allowed);
  return recent === undefined ? code : recent.remember(value, code);
}

/** A dictionary code for cells [first, last] joined (their commas included), recognised in place when repeated. */
export function dictionaryCell(
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
