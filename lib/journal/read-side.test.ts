import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../core/index.js';
import { DecisionJournal } from './decision-journal.js';
import { DataLayout } from './layout.js';
import { readDecisions } from './read.js';
import { openRun } from './run.js';
import { DECISION_COLUMNS, type DecisionRow } from './schema.js';
import { JournalTail } from './tail.js';
import { engineRows } from './test-support/engine-rows.js';

const HEADER = `${DECISION_COLUMNS.join(',')}\n`;
const dir = () => mkdtempSync(join(tmpdir(), 'mjolnir-read-'));

function journalOf(rows: readonly DecisionRow[]): string {
  const path = join(dir(), 'decisions.csv');
  const journal = DecisionJournal.open(path, { enforce: true, onRefused: () => {} });
  journal.append(rows);
  journal.close();
  return path;
}

describe('the read side', () => {
  it('reads back exactly the rows the writer wrote, numbers to the bit and the long cells too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 1e6 }), (count, seed) => {
        const rows = engineRows(count, seed);
        const table = readDecisions(journalOf(rows));
        expect(table.length).toBe(rows.length);
        expect(table.rows().map(({ line: _, ...row }) => row)).toEqual(rows);
      }),
      { numRuns: 25 },
    );
  });

  it('follows a journal from a byte offset: new whole lines only, a torn line waits, truncation and replacement re-read', () => {
    const path = join(dir(), 'decisions.csv');
    const tail = new JournalTail(path, DECISION_COLUMNS);
    expect(tail.read()).toEqual({ text: '', offset: 0, reset: false, pending: 0 });
    expect(tail.exists).toBe(false);
    const lines = readDecisions(journalOf(engineRows(40, 3)))
      .rows()
      .map((r) => lineOf(r));
    writeFileSync(path, HEADER + lines.slice(0, 10).join(''));
    const first = tail.read();
    expect(first.text).toBe(lines.slice(0, 10).join(''));
    expect(first.offset).toBe(HEADER.length);
    // A torn line (a writer mid-append) waits for its newline.
    appendFileSync(path, lines[10]!.slice(0, 25));
    expect(tail.read().text).toBe('');
    appendFileSync(path, `${lines[10]!.slice(25)}${lines[11]}`);
    const second = tail.read();
    expect(second).toEqual({
      text: lines[10]! + lines[11]!,
      offset: HEADER.length + lines.slice(0, 10).join('').length,
      reset: false,
      pending: 0,
    });
    // Truncated to its first rows: noticed, read again from the start.
    truncateSync(path, HEADER.length + lines[0]!.length);
    expect(tail.read()).toEqual({ text: lines[0], offset: HEADER.length, reset: true, pending: 0 });
    // Replaced by another file (a new inode), even a longer one.
    const other = join(dir(), 'other.csv');
    writeFileSync(other, HEADER + lines.slice(5, 30).join(''));
    renameSync(other, path);
    expect(tail.read()).toMatchObject({ text: lines.slice(5, 30).join(''), reset: true });
  });

  it('a run read model: typed columns and a summary kept up to date as the journals grow', () => {
    const root = dir();
    const layout = new DataLayout(root);
    const run = openRun(root, 'sim', 'BTC/USDT', '5m');
    expect(run.exists).toBe(false);
    expect(run.summary()).toMatchObject({ decisions: 0, lastTs: null, last: null });
    const rows = engineRows(300, 9);
    const journal = DecisionJournal.open(layout.decisions('sim', 'BTC/USDT', '5m'), {
      enforce: true,
      onRefused: () => {},
    });
    journal.append(rows.slice(0, 200));
    expect(run.refresh()).toEqual({ decisions: 200, trades: 0, reset: false });
    journal.append(rows.slice(200));
    journal.close();
    expect(run.refresh()).toMatchObject({ decisions: rows.length - 200 });
    const summary = run.summary();
    expect(summary.decisions).toBe(rows.length);
    expect(summary.lastTs).toBe(rows.at(-1)!.ts_ms);
    expect(summary.last).toMatchObject({ ...rows.at(-1)!, line: rows.length + 1 });
    const counted: Record<string, number> = {};
    for (const row of rows)
      counted[`${row.action}/${row.reason}`] = (counted[`${row.action}/${row.reason}`] ?? 0) + 1;
    expect(summary.byReason).toEqual(counted);
    const steps = rows
      .slice(1)
      .map((r, i) => r.ts_ms - rows[i]!.ts_ms)
      .filter((d) => d !== 300_000);
    expect(steps.length).toBeGreaterThan(0);
    expect(summary.cadenceGaps).toBe(steps.length);
    expect(run.decisions.ts.toArray()).toEqual(Float64Array.from(rows, (r) => r.ts_ms));
  });

  it('names file and line for a bad row, and refuses rows out of order', () => {
    const rows = readDecisions(journalOf(engineRows(20, 5)))
      .rows()
      .map((r) => lineOf(r));
    const path = join(dir(), 'decisions.csv');
    writeFileSync(
      path,
      HEADER + rows[0] + rows[1]!.replace(/,hold,|,enter_long,|,skip,/, ',hodl,') + rows[2],
    );
    const bad = (() => {
      try {
        readDecisions(path);
      } catch (error) {
        return error;
      }
    })();
    expect(hasErrorCode(bad, 'data_invalid')).toBe(true);
    expect((bad as Error).message).toMatch(new RegExp(`^${path}:3: action "hodl" is not one of skip, hold`));
    writeFileSync(path, HEADER + rows[1] + rows[0]);
    expect(() => readDecisions(path)).toThrow(`${path}:3: ts_ms`);
  });
});

/** A row as the writer writes it. */
function lineOf(row: DecisionRow & { line?: number }): string {
  const { line: _, ...plain } = row;
  const path = journalOf([plain]);
  return new JournalTail(path, DECISION_COLUMNS).read().text;
}
