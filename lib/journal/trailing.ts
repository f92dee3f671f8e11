import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Reason } from '../engine/index.js';
import { DecisionTable } from './table.js';
import type { BadLines } from './watch.js';

/** What health needs of a decision row. */
export interface TrailingDecision {
  readonly ts: number;
  readonly reason: Reason;
  readonly exchange: string;
}

/** The end of a decisions journal: its last good rows and the lines there that do not read. */
export interface TrailingRead {
  /** The last rows that read as decisions, oldest first. */
  readonly rows: readonly TrailingDecision[];
  /** Lines among the last ones read that are not decisions (numbered in the file), or null. */
  readonly bad: BadLines | null;
}

const BLOCK = 1 << 16;
const NEWLINE = 10;

/**
 * The last `count` complete rows of a decisions.csv, read backwards from its end in 64 KiB blocks: the
 * cost follows `count`, not the file's length (a torn last line is left out, as the read side does).
 * A line that does not read as a decision is left out and reported with its line number (counted
 * from the top only then). A missing file gives no rows.
 */
export function trailingDecisions(path: string, count: number): TrailingRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { rows: [], bad: null };
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
    let before = position; // bytes before the first line kept
    if (position > 0) before += lines.shift()!.length + 1; // the first may be cut by the block edge
    const header = lines[0]?.startsWith('exchange,') === true ? 1 : 0;
    const dropped = Math.max(0, lines.length - header - count);
    for (let i = 0; i < header + dropped; i++) before += lines[i]!.length + 1;
    const kept = lines.slice(header + dropped);
    return parsed(path, kept, () => linesBefore(fd, before));
  } finally {
    closeSync(fd);
  }
}

/** How many lines end before byte `end` (read only when a bad line must be numbered). */
function linesBefore(fd: number, end: number): number {
  const buffer = Buffer.alloc(BLOCK);
  let lines = 0;
  for (let at = 0; at < end; at += BLOCK) {
    const read = readSync(fd, buffer, 0, Math.min(BLOCK, end - at), at);
    for (let i = buffer.indexOf(NEWLINE, 0); i >= 0 && i < read; i = buffer.indexOf(NEWLINE, i + 1)) lines++;
  }
  return lines;
}

/** The rows through the read side's parser (the one that validates every journal), bad lines left out. */
function parsed(path: string, lines: readonly string[], firstLineIndex: () => number): TrailingRead {
  const body = lines.map((line) => `${line}\n`).join('');
  const table = new DecisionTable(path, {
    fields: (at) => body.slice(at, body.indexOf('\n', at)).split(','),
  });
  const found: { line: number; why: string }[] = [];
  table.appendLenient(body, 0, (error, line) => found.push({ line, why: error.message }));
  let bad: BadLines | null = null;
  if (found.length > 0) {
    // Numbered from the tail read so far: shift to the file's own numbers (1-based, the header line 1).
    const shift = firstLineIndex() + 1 - 2;
    const last = found.at(-1)!;
    const line = last.line + shift;
    bad = {
      count: found.length,
      last: { line, why: last.why.replace(`${path}:${last.line}`, `${path}:${line}`) },
    };
  }
  const rows = table.rows().map((row) => ({ ts: row.ts_ms, reason: row.reason, exchange: row.exchange }));
  return { rows, bad };
}
