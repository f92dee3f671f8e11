import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MjolnirError } from '../core/index.js';
import type { Reason } from '../engine/index.js';
import { DecisionTable } from './table.js';

/** What health needs of a decision row. */
export interface TrailingDecision {
  readonly ts: number;
  readonly reason: Reason;
  readonly exchange: string;
}

const BLOCK = 1 << 16;

/**
 * The last `count` complete rows of a decisions.csv, read backwards from its end in 64 KiB blocks: the
 * cost follows `count`, not the file's length (a torn last line is left out, as the read side does).
 * A missing file gives no rows.
 */
export function trailingDecisions(path: string, count: number): TrailingDecision[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    let text = '';
    let position = size;
    while (position > 0 && text.split('\n').length <= count + 2) {
      const length = Math.min(BLOCK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, position);
      text = buffer.toString('latin1') + text;
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    if (position > 0) lines.shift(); // the first may be cut by the block edge
    const kept = lines.filter((line) => !line.startsWith('exchange,')).slice(-count);
    return parsed(path, kept);
  } finally {
    closeSync(fd);
  }
}

/** The rows through the read side's parser (the one that validates every journal), as health needs them. */
function parsed(path: string, lines: readonly string[]): TrailingDecision[] {
  const body = lines.map((line) => `${line}\n`).join('');
  const table = new DecisionTable(path, {
    fields: (at) => body.slice(at, body.indexOf('\n', at)).split(','),
  });
  try {
    table.append(body, 0);
  } catch (error) {
    // Its line numbers count from the tail read, not from the top of the file.
    const why = error instanceof Error ? error.message.replace(`${path}:`, 'line ') : String(error);
    throw new MjolnirError(
      'data_invalid',
      `${path}: a row near its end does not read as a decision (${why}, counted from the first of the last ${lines.length} rows)`,
    );
  }
  return table.rows().map((row) => ({ ts: row.ts_ms, reason: row.reason, exchange: row.exchange }));
}
