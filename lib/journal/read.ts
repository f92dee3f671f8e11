import { existsSync, readFileSync } from 'node:fs';
import { MjolnirError } from '../core/index.js';
import { DECISION_COLUMNS, type DecisionRow, parseDecision } from './decisions.js';
import { parseTrade, TRADE_COLUMNS, type TradeRow } from './trades.js';

/** A journal read without touching it: its rows, and whether a torn last line was left out. */
export interface JournalRead<T> {
  readonly rows: (T & { line: number })[];
  /** Bytes after the last newline (a crash mid-append), ignored here; the paper loop cuts them. */
  readonly tornBytes: number;
}

function readRows<T>(
  path: string,
  header: readonly string[],
  parse: (line: { line: number; fields: string[] }, path: string) => T & { line: number },
): JournalRead<T> {
  if (!existsSync(path)) throw new MjolnirError('input_invalid', `${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n').slice(0, -1);
  if (lines.length === 0) return { rows: [], tornBytes: Buffer.byteLength(text.slice(end)) };
  if (lines[0] !== header.join(',')) {
    throw new MjolnirError(
      'data_invalid',
      `${path}:1: header is "${lines[0]}", expected "${header.join(',')}"`,
    );
  }
  const rows = lines.slice(1).map((row, i) => {
    const fields = row.split(',');
    if (fields.length !== header.length) {
      throw new MjolnirError(
        'data_invalid',
        `${path}:${i + 2}: expected ${header.length} fields, found ${fields.length}`,
      );
    }
    return parse({ line: i + 2, fields }, path);
  });
  return { rows, tornBytes: Buffer.byteLength(text.slice(end)) };
}

/** Reads a decisions.csv without modifying it (for eq, health, dashboards, notebooks). */
export function readDecisions(path: string): JournalRead<DecisionRow> {
  return readRows(path, DECISION_COLUMNS, parseDecision);
}

/** Reads a trades.csv without modifying it. */
export function readTrades(path: string): JournalRead<TradeRow> {
  return readRows(path, TRADE_COLUMNS, parseTrade);
}
