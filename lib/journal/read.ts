import { existsSync } from 'node:fs';
import { MjolnirError } from '../core/index.js';
import { DECISION_COLUMNS, TRADE_COLUMNS } from './schema.js';
import { DecisionTable } from './table.js';
import { JournalTail } from './tail.js';
import { TradeTable } from './trade-table.js';

function mustExist(path: string): void {
  if (!existsSync(path)) throw new MjolnirError('input_invalid', `${path} does not exist`);
}

/**
 * Reads a whole decisions.csv without modifying it (a torn last line, a crash mid-append, is left
 * out). For a journal that grows, follow it with `openRun` / `JournalTail` instead. `numbers: false`
 * reads only what tells decisions apart (see DecisionTable).
 */
export function readDecisions(path: string, options: { readonly numbers?: boolean } = {}): DecisionTable {
  mustExist(path);
  const tail = new JournalTail(path, DECISION_COLUMNS);
  const table = new DecisionTable(path, tail, options);
  tail.read((text, offset) => table.append(text, offset));
  return table;
}

/** Reads a whole trades.csv without modifying it. */
export function readTrades(path: string): TradeTable {
  mustExist(path);
  const tail = new JournalTail(path, TRADE_COLUMNS);
  const table = new TradeTable(path);
  tail.read((text) => table.append(text));
  return table;
}
