import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { LITTLE_ENDIAN, MjolnirError } from '../core/index.js';
import { allocateSeries, type BarSeries, seriesColumns } from '../market/index.js';

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

/**
 * The checksum recorded for a month file's bytes, which a reader verifies: CRC-32 (hex), computed at
 * several GB/s (zlib's SIMD code), against accidental damage of a cache file (not against tampering:
 * the parquet files are the ground truth).
 */
export function monthChecksum(bytes: Uint8Array): string {
  return hex(crc32(bytes));
}

const hex = (crc: number) => crc.toString(16).padStart(8, '0');

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

/** A month file that cannot be used, and why (the reader then takes the day files). */
export interface MonthProblem {
  readonly problem: string;
}

/** Scratch for streaming a month file through its checksum. */
const chunk = new Uint8Array(1 << 20);

/** The checksum of the whole file behind `fd` (`size` bytes), read in chunks. */
function fileChecksum(fd: number, size: number): string {
  let crc = 0;
  for (let at = 0; at < size; ) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (read === 0) throw new Error('the file was cut short while read');
    crc = crc32(chunk.subarray(0, read), crc);
    at += read;
  }
  return hex(crc);
}

/**
 * The rows of the month file at `path` closing within [startTs, endTs], its file left open, once its
 * bytes are proven to be the ones recorded when it was built (`checksum`): a file damaged since, even
 * with its size unchanged, is never read as bars. A problem says why it cannot be used (gone, damaged,
 * another format, another content).
 */
export function openMonth(
  path: string,
  startTs: number,
  endTs: number,
  checksum: string,
): MonthSlice | MonthProblem {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { problem: `cannot open it (${(error as Error).message})` };
  }
  try {
    const size = fstatSync(fd).size;
    if (!readFully(fd, header, 0, HEADER, 0)) throw new Error('it is shorter than its header');
    for (let i = 0; i < MAGIC.length; i++)
      if (header[i] !== MAGIC.charCodeAt(i)) throw new Error('it is not a month file');
    const view = new DataView(header.buffer);
    const rows = view.getUint32(8, true);
    if (view.getUint32(12, true) !== COLUMNS || size !== HEADER + COLUMNS * rows * 8)
      throw new Error(`its size (${size} bytes) does not match its header`);
    const found = fileChecksum(fd, size);
    if (found !== checksum) throw new Error(`its checksum is ${found}, recorded ${checksum}`);
    if (tsColumn.length < rows) tsColumn = new Float64Array(rows);
    if (!readFully(fd, new Uint8Array(tsColumn.buffer), 0, rows * 8, HEADER))
      throw new Error('it was cut short');
    return {
      fd,
      rows,
      from: lowerBound(tsColumn, rows, startTs),
      to: lowerBound(tsColumn, rows, Math.floor(endTs) + 1),
    };
  } catch (error) {
    closeSync(fd);
    return { problem: (error as Error).message };
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
