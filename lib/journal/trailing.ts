import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MjolnirError } from '../core/index.js';
import { REASONS, type Reason } from '../engine/index.js';
import { DECISION_COLUMNS } from './decisions.js';

/** What health needs of a decision row. */
export interface TrailingDecision {
  readonly ts: number;
  readonly reason: Reason;
  readonly exchange: string;
}

const BLOCK = 1 << 16;
const TS = DECISION_COLUMNS.indexOf('ts_ms');
const REASON = DECISION_COLUMNS.indexOf('reason');
const KNOWN = new Set<string>(REASONS);

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
    return lines
      .filter((line) => !line.startsWith('exchange,'))
      .slice(-count)
      .map((line) => rowOf(path, line));
  } finally {
    closeSync(fd);
  }
}

function rowOf(path: string, line: string): TrailingDecision {
  const cells = line.split(',');
  const ts = Number(cells[TS]);
  const reason = cells[REASON] ?? '';
  if (!Number.isInteger(ts) || !KNOWN.has(reason))
    throw new MjolnirError(
      'data_invalid',
      `${path}: a trailing row does not read as a decision: ${line.slice(0, 80)}`,
    );
  return { ts, reason: reason as Reason, exchange: cells[0]! };
}
