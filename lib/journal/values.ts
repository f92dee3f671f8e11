import { badCell } from './cells.js';

export { formatNumber } from './format.js';

/** Parses a journal number ('' is NaN); anything else unparsable is an error at that line. */
export function parseNumber(text: string, where: string, column: string): number {
  if (text === '') return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw badCell.number(where, column, text);
  return value;
}
