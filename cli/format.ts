/** Small text helpers for terminal output; numbers read as the library formats them everywhere. */
import { fixed, percent } from '@mjolnir/lib';

/** A number with thousands separators and a fixed number of decimals. */
export const num = (value: number, decimals = 0): string => fixed(value, decimals);

/** A fraction as a percentage. */
export const pct = (fraction: number, decimals = 1): string => percent(fraction, decimals);

/** Rows of cells as left-aligned columns (the last column unpadded). */
export function columns(rows: readonly (readonly string[])[], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + gap))).join(''),
    )
    .join('\n');
}
