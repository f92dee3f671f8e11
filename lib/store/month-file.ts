import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MjolnirError } from '../core/errors.js';
import { LITTLE_ENDIAN } from '../core/platform.js';
import { allocateSeries, type BarSeries, seriesColumns } from '../market/series.js';

/**
 * The month files of the read cache: a month of bars as raw little-endian doubles, column after
 * column (ts, open, high, low, close, volume) behind a 16-byte header ("MJBARS01", the row count, the
 * column count). Reading one reads its window's columns straight into the series: no decoding, no
 * query engine, no copy of the file in memory.
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

/**
 * The rows [from, to) of a month file that fall in a window, its file open (read by `joinParts`
 * straight into the joined series: no copy of the file in memory first). Close it with `closeMonth`.
 */
export interface MonthSlice {
  readonly fd: number;
  readonly rows: number;
  readonly from: number;
  readonly to: number;
}

/** The first row whose ts is at least `ts`. */
function lowerBound(ts: Float64Array, rows: number, at: number): number {
  let low = 0;
  let high = rows;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ts[mid]! < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The header, then the ts column, of the month file being opened. */
const header = new Uint8Array(HEADER);
let tsColumn = new Float64Array(0);

/** Reads exactly `length` bytes at `position` into `target` from `offset`; false if the file is shorter. */
function readFully(
  fd: number,
  target: Uint8Array,
  offset: number,
  length: number,
  position: number,
): boolean {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, target, offset + done, length - done, position + done);
    if (read === 0) return false;
    done += read;
  }
  return true;
}

/**
 * The rows of the month file at `path` closing within [startTs, endTs], its file left open; null if it
 * cannot be read as a month file (gone, damaged, another format).
 */
export function openMonth(path: string, startTs: number, endTs: number): MonthSlice | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    if (!readFully(fd, header, 0, HEADER, 0)) throw new Error('short');
    for (let i = 0; i < MAGIC.length; i++) if (header[i] !== MAGIC.charCodeAt(i)) throw new Error('magic');
    const view = new DataView(header.buffer);
    const rows = view.getUint32(8, true);
    if (view.getUint32(12, true) !== COLUMNS || fstatSync(fd).size !== HEADER + COLUMNS * rows * 8)
      throw new Error('size');
    if (tsColumn.length < rows) tsColumn = new Float64Array(rows);
    if (!readFully(fd, new Uint8Array(tsColumn.buffer), 0, rows * 8, HEADER)) throw new Error('short');
    return {
      fd,
      rows,
      from: lowerBound(tsColumn, rows, startTs),
      to: lowerBound(tsColumn, rows, Math.floor(endTs) + 1),
    };
  } catch {
    closeSync(fd);
    return null;
  }
}

/** Closes the file of a month slice. */
export function closeMonth(slice: MonthSlice): void {
  closeSync(slice.fd);
}

/**
 * Parts read in chronological order (series from parquet, slices of month files, read here) as one
 * series; refuses a result whose close times are not strictly increasing (`where` names the stream).
 */
export function joinParts(parts: readonly (BarSeries | MonthSlice)[], where: string): BarSeries {
  const only = parts.length === 1 ? parts[0]! : null;
  const joined =
    only !== null && !('fd' in only)
      ? only
      : allocateSeries(parts.reduce((n, part) => n + ('fd' in part ? part.to - part.from : part.length), 0));
  if (joined !== only) {
    const targets = seriesColumns(joined).map((column) => new Uint8Array(column.buffer));
    let at = 0;
    for (const part of parts) {
      const n = 'fd' in part ? part.to - part.from : part.length;
      targets.forEach((target, c) => {
        if ('fd' in part) {
          if (!readFully(part.fd, target, at * 8, n * 8, HEADER + (c * part.rows + part.from) * 8))
            throw new MjolnirError('data_invalid', `lake ${where}: a month file was cut short while read`);
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
