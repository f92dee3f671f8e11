import { MjolnirError } from '../core/errors.js';
import { LITTLE_ENDIAN } from '../core/platform.js';
import { allocateSeries, type BarSeries, seriesColumns } from '../market/series.js';

/**
 * The month files of the read cache: a month of bars as raw little-endian doubles, column after
 * column (ts, open, high, low, close, volume) behind a 16-byte header ("MJBARS01", the row count, the
 * column count). Reading one is a file read and a copy: no decoding, no query engine.
 */

const MAGIC = 'MJBARS01';
const HEADER = 16;
const COLUMNS = 6;

/** Whether this machine can write and read month files (they hold little-endian doubles as is). */
export const MONTH_FILES_SUPPORTED = LITTLE_ENDIAN;

/** The bytes of a month file holding `series`. */
export function encodeMonth(series: BarSeries): Uint8Array {
  const rows = series.length;
  const bytes = new Uint8Array(HEADER + COLUMNS * rows * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, rows, true);
  view.setUint32(12, COLUMNS, true);
  seriesColumns(series).forEach((column, c) => {
    bytes.set(new Uint8Array(column.buffer, column.byteOffset, rows * 8), HEADER + c * rows * 8);
  });
  return bytes;
}

/** The rows [from, to) of a month file that fall in a window. */
export interface MonthSlice {
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly from: number;
  readonly to: number;
}

/** The first row whose ts (read from the file) is at least `ts`. */
function lowerBound(view: DataView, rows: number, ts: number): number {
  let low = 0;
  let high = rows;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (view.getFloat64(HEADER + mid * 8, true) < ts) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The rows of a month file's `bytes` closing within [startTs, endTs]; null if it is not a month file. */
export function sliceMonth(bytes: Uint8Array, startTs: number, endTs: number): MonthSlice | null {
  if (bytes.length < HEADER) return null;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const rows = view.getUint32(8, true);
  if (view.getUint32(12, true) !== COLUMNS || bytes.length !== HEADER + COLUMNS * rows * 8) return null;
  return {
    bytes,
    rows,
    from: lowerBound(view, rows, startTs),
    to: lowerBound(view, rows, Math.floor(endTs) + 1),
  };
}

/**
 * Parts read in chronological order (series from parquet, slices of month files) as one series;
 * refuses a result whose close times are not strictly increasing (`where` names the stream).
 */
export function joinParts(parts: readonly (BarSeries | MonthSlice)[], where: string): BarSeries {
  const only = parts.length === 1 ? parts[0]! : null;
  const joined =
    only !== null && !('bytes' in only)
      ? only
      : allocateSeries(
          parts.reduce((n, part) => n + ('bytes' in part ? part.to - part.from : part.length), 0),
        );
  if (joined !== only) {
    const targets = seriesColumns(joined).map((column) => new Uint8Array(column.buffer));
    let at = 0;
    for (const part of parts) {
      const n = 'bytes' in part ? part.to - part.from : part.length;
      targets.forEach((target, c) => {
        if ('bytes' in part) {
          const start = HEADER + (c * part.rows + part.from) * 8;
          target.set(part.bytes.subarray(start, start + n * 8), at * 8);
        } else {
          const column = seriesColumns(part)[c]!;
          target.set(new Uint8Array(column.buffer, column.byteOffset, n * 8), at * 8);
        }
      });
      at += n;
    }
  }
  const ts = joined.ts;
  for (let i = 1; i < joined.length; i++) {
    if (!(ts[i]! > ts[i - 1]!))
      throw new MjolnirError('data_invalid', `lake ${where} holds bar closes out of order at ${ts[i]}`);
  }
  return joined;
}
