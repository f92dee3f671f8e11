import { MjolnirError } from '../core/index.js';

export { formatNumber } from './format.js';

/** Parses a journal number ('' is NaN); anything else unparsable is an error at that line. */
export function parseNumber(text: string, where: string, column: string): number {
  if (text === '') return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value))
    throw new MjolnirError('data_invalid', `${where}: ${column} "${text}" is not a number`);
  return value;
}

/** Parses an integer millisecond timestamp. */
export function parseTs(text: string, where: string, column: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new MjolnirError('data_invalid', `${where}: ${column} "${text}" is not an integer ms timestamp`);
  return value;
}

/** Parses a value that must be one of `allowed`. */
export function parseEnum<T extends string>(
  text: string,
  allowed: readonly T[],
  where: string,
  column: string,
): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new MjolnirError(
      'data_invalid',
      `${where}: ${column} "${text}" is not one of ${allowed.join(', ')}`,
    );
  }
  return text as T;
}
