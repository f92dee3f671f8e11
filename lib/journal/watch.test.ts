import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsMs } from '../time/index.js';
import { DecisionJournal } from './decision-journal.js';
import { RunView } from './run.js';
import type { TradeRow } from './schema.js';
import { engineRows } from './test-support/engine-rows.js';
import { TradeJournal } from './trade-journal.js';
import { RunWatch } from './watch.js';

const dir = () => mkdtempSync(join(tmpdir(), 'mjolnir-watch-'));

function trade(i: number): TradeRow {
  return {
    exchange: 'sim',
    symbol: 'BTC/USDT',
    timeframe: '5m',
    entry_ts_ms: tsMs(1_000_000 + i * 600_000),
    exit_ts_ms: tsMs(1_300_000 + i * 600_000),
    side: i % 3 === 0 ? 'short' : 'long',
    entry_price: 100 + i,
    exit_price: 100 + i + (i % 2 === 0 ? 1 : -2),
    qty: 1,
    exit_reason: 'exit_signal',
    pnl: i % 2 === 0 ? 1 : -2,
    fees: 0.1,
  };
}

/** A run's journals written by the journal writers, `count` decisions and `trades` trades. */
function writeRun(root: string, count: number, trades: number) {
  const decisions = join(root, 'decisions.csv');
  const tradesPath = join(root, 'trades.csv');
  const journal = DecisionJournal.open(decisions, {
    enforce: true,
    onRefused: () => {
      throw new Error('not monotonic');
    },
  });
  const rows = engineRows(count, 7, { equity: true });
  for (let i = 0; i < rows.length; i += 5000) journal.append(rows.slice(i, i + 5000));
  journal.close();
  const tj = TradeJournal.open(tradesPath);
  tj.append(Array.from({ length: trades }, (_, i) => trade(i)));
  tj.close();
  return { decisions, tradesPath, rows };
}

describe('RunWatch', () => {
  it('folds what RunView summarises, keeping only the newest rows, trades and equity points', () => {
    const root = dir();
    const { decisions, tradesPath, rows } = writeRun(root, 6000, 100);
    const watch = new RunWatch(decisions, tradesPath, '5m');
    // In pieces of 64 kB: each parsed, folded and dropped.
    expect(watch.refresh(64 << 10).reset).toBe(false);
    while (watch.snapshot().catchingUp !== null) watch.refresh(64 << 10);
    expect(watch.snapshot().fold.decisions).toBe(rows.length);
    const view = new RunView(decisions, tradesPath, '5m', 10_000);
    view.refresh();
    const summary = view.summary();
    const seen = watch.snapshot();
    expect(seen.fold.decisions).toBe(summary.decisions);
    expect(seen.fold.byReason()).toEqual(summary.byReason);
    expect(seen.fold.gaps).toBe(summary.cadenceGaps);
    expect(seen.fold.gaps).toBeGreaterThan(0);
    expect(seen.fold.equity).toBe(summary.equity);
    expect(seen.fold.maxDrawdownFraction).toBe(summary.maxDrawdownFraction);
    expect(seen.fold.firstEquity).toBe(rows[0]!.equity);
    expect(seen.recent).toHaveLength(64);
    expect(seen.recent.at(-1)).toEqual({ ...rows.at(-1)!, line: rows.length + 1 });
    expect(seen.recent[0]!.line).toBe(rows.length + 1 - 63);
    expect(seen.trades).toHaveLength(32);
    expect(seen.trades.at(-1)).toMatchObject({ entry_ts_ms: trade(99).entry_ts_ms });
    expect(seen.tradeTotals).toEqual({
      count: 100,
      wins: 50,
      pnl: -50, // 50 wins of 1, 50 losses of 2
      fees: expect.closeTo(10, 9),
    });
    expect(seen.equityTail).toHaveLength(512);
    expect(seen.equityTail.at(-1)).toBe(rows.at(-1)!.equity);
  });

  it('reads a long backlog over several capped refreshes, saying how far it got, to the same end', () => {
    const root = dir();
    const { decisions, tradesPath, rows } = writeRun(root, 6000, 0);
    const size = statSync(decisions).size;
    const capped = new RunWatch(decisions, tradesPath, '5m');
    const progress: number[] = [];
    for (let i = 0; i < 100; i++) {
      capped.refresh(100_000);
      const catchingUp = capped.snapshot().catchingUp;
      if (catchingUp === null) break;
      expect(catchingUp.size).toBe(size);
      progress.push(catchingUp.read);
    }
    expect(progress.length).toBeGreaterThan(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const whole = new RunWatch(decisions, tradesPath, '5m');
    whole.refresh();
    expect(capped.snapshot().fold).toEqual(whole.snapshot().fold);
    expect(capped.snapshot().recent).toEqual(whole.snapshot().recent);
    expect(capped.snapshot().fold.decisions).toBe(rows.length);
  });

  it('takes in appended rows only, waits for a torn line, and starts again on truncation or replacement', () => {
    const root = dir();
    const { decisions, tradesPath, rows } = writeRun(root, 300, 3);
    const text = readFileSync(decisions, 'utf8');
    const lines = text.split('\n');
    writeFileSync(decisions, `${lines.slice(0, 101).join('\n')}\n`);
    const watch = new RunWatch(decisions, tradesPath, '5m');
    expect(watch.refresh().decisions).toBe(100);
    const torn = lines[101]!;
    appendFileSync(decisions, torn.slice(0, 20));
    expect(watch.refresh().decisions).toBe(0);
    appendFileSync(decisions, `${torn.slice(20)}\n`);
    expect(watch.refresh().decisions).toBe(1);
    expect(watch.snapshot().recent.at(-1)!.ts_ms).toBe(rows[100]!.ts_ms);

    truncateSync(decisions, 0);
    writeFileSync(decisions, `${lines.slice(0, 11).join('\n')}\n`);
    const reset = watch.refresh();
    expect(reset).toMatchObject({ decisions: 10, reset: true });
    expect(watch.snapshot().fold.decisions).toBe(10);

    const replacement = join(root, 'next.csv');
    writeFileSync(replacement, text);
    renameSync(replacement, decisions);
    expect(watch.refresh()).toMatchObject({ decisions: rows.length, reset: true });
    expect(watch.snapshot().fold.decisions).toBe(rows.length);
  });

  it('reads a journal that does not exist yet as empty, and follows it once written', () => {
    const root = dir();
    const watch = new RunWatch(join(root, 'decisions.csv'), join(root, 'trades.csv'), '5m');
    expect(watch.refresh()).toEqual({ decisions: 0, trades: 0, reset: false });
    expect(watch.snapshot().exists).toBe(false);
    writeRun(root, 50, 0);
    expect(watch.refresh().decisions).toBeGreaterThan(40);
    expect(watch.snapshot().exists).toBe(true);
  });
});
