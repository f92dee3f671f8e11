import { MjolnirError } from '../core/index.js';
import { TRADES } from './row-codec.js';
import type { TradeRow } from './schema.js';

/** A trades.csv as rows: a journal has a trade per few dozen decisions, rows are cheap enough. */
export class TradeTable {
  readonly rows: (TradeRow & { line: number })[] = [];
  private readonly firstLine = 2;

  constructor(readonly path: string) {}

  get length(): number {
    return this.rows.length;
  }

  /** Takes in the complete lines of `text` (see DecisionTable.append), each read through the trade schema. */
  append(text: string): number {
    const before = this.rows.length;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end < 0) throw new MjolnirError('invariant_violated', 'TradeTable.append takes whole lines');
      const line = this.firstLine + this.rows.length;
      const row = TRADES.decode(text.slice(start, end).split(','), () => `${this.path}:${line}`);
      this.rows.push({ line, ...row });
      start = end + 1;
    }
    return this.rows.length - before;
  }
}
