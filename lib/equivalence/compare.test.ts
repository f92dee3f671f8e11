import { describe, expect, it } from 'vitest';
import type { Action, PositionLabel, Reason } from '../engine/index.js';
import type { DecisionRow, TradeRow } from '../journal/index.js';
import type { TsMs } from '../time/index.js';
import { compareRuns, type EqSide } from './compare.js';
import { formatEq } from './report.js';

const BAR = 300_000;
const T0 = Date.UTC(2024, 0, 1);

/** A journal from a compact script: one letter per bar (f flat, L enter long, l held, x exit). */
function journal(script: string, from = 0, hash = (i: number) => `h${i}`): DecisionRow[] {
  const rows: DecisionRow[] = [];
  for (let k = 0; k < script.length; k++) {
    const i = from + k;
    const letter = script[k]!;
    const [action, reason, position]: [Action, Reason, PositionLabel] =
      letter === 'L'
        ? ['enter_long', 'entry_signal', 'long']
        : letter === 'l'
          ? ['hold', 'in_position', 'long']
          : letter === 'x'
            ? ['exit_long', 'exit_signal', 'flat']
            : letter === 'm'
              ? ['skip', 'bar_missing', 'flat']
              : ['hold', 'no_signal', 'flat'];
    rows.push({
      exchange: 'sim',
      symbol: 'BTC/USDT',
      timeframe: '5m',
      ts_ms: (T0 + i * BAR) as TsMs,
      action,
      reason,
      position,
      close: 100 + i,
      stop: Number.NaN,
      qty: 0,
      fill_price: Number.NaN,
      equity: 10_000,
      input_hash: letter === 'm' ? '' : hash(i),
      features: '',
      strategy: 'test',
      model_id: '',
      spec: 'spec',
    });
  }
  return rows;
}

/** The trades a script opens and closes (entry at L, exit at x), with a PnL per trade. */
function trades(rows: readonly DecisionRow[], pnl = 1): TradeRow[] {
  const out: TradeRow[] = [];
  let entry: number | null = null;
  for (const row of rows) {
    if (row.action === 'enter_long') entry = row.ts_ms;
    if (row.action === 'exit_long' && entry !== null) {
      out.push({
        exchange: 'sim',
        symbol: 'BTC/USDT',
        timeframe: '5m',
        entry_ts_ms: entry as TsMs,
        exit_ts_ms: row.ts_ms,
        side: 'long',
        entry_price: 100,
        exit_price: 101,
        qty: 1,
        exit_reason: 'exit_signal',
        pnl,
        fees: 0.1,
      });
      entry = null;
    }
  }
  return out;
}

const side = (name: string, decisions: DecisionRow[], pnl = 1): EqSide => ({
  name,
  decisions,
  trades: trades(decisions, pnl),
});

describe('equivalence', () => {
  it('passes identical runs, and runs that differ only in PnL', () => {
    const rows = journal('ffLllxffLlxmff');
    const result = compareRuns(side('live', rows), side('bt', journal('ffLllxffLlxmff'), 2.5));
    expect(result.overall).toBe(true);
    expect(result.decisions.compared).toBe(14);
    expect(result.trades.compared).toBe(2);
    expect(result.pnl).toEqual({ live: 2, bt: 5 });
    expect(formatEq(result, 'eq').split('\n').slice(2, 5)).toEqual([
      '[decisions] PASS',
      '[trades]    PASS',
      'OVERALL PASS',
    ]);
  });

  it('names the first differing bar with both rows; the same input hash means different logic', () => {
    const result = compareRuns(side('live', journal('ffLllxff')), side('bt', journal('ffLlllxf')));
    expect(result.overall).toBe(false);
    expect(result.decisions.mismatch!.at).toBe(T0 + 5 * BAR);
    expect(result.decisions.mismatch!.live).toContain('exit_long/exit_signal position=flat');
    expect(result.decisions.mismatch!.bt).toContain('hold/in_position position=long');
    expect(result.decisions.mismatch!.verdict).toMatch(/same bar on both sides: the decision logic/);
    expect(result.trades.pass).toBe(false);
    const text = formatEq(result, 'eq');
    expect(text).toContain('[decisions] FAIL\n[trades]    FAIL\nOVERALL FAIL\n');
    expect(text).toContain('Layer: decisions');
    expect(text).toContain(`Window overlap: [${T0}, ${T0 + 7 * BAR}]`);
    expect(text).toContain(`First mismatch (ts_ms): ts_ms ${T0 + 5 * BAR} (2024-01-01T00:25:00.000Z)`);
    expect(text).toContain('Layer: trades');
    expect(text).toContain('First mismatch (trade index): trade index 0');
  });

  it('tells different data from different logic by the input hashes', () => {
    const other = (i: number) => (i === 5 ? 'changed' : `h${i}`);
    const result = compareRuns(side('live', journal('ffLllxff')), side('bt', journal('ffLlllxf', 0, other)));
    expect(result.decisions.mismatch!.verdict).toMatch(
      /input hashes differ: the two sides saw different bars/,
    );
  });

  it('fails on a bar one side never decided, at that bar', () => {
    const bt = journal('ffLllxff').filter((_row, i) => i !== 3);
    const result = compareRuns(side('live', journal('ffLllxff')), side('bt', bt));
    expect(result.decisions.mismatch!.at).toBe(T0 + 3 * BAR);
    expect(result.decisions.mismatch!.bt).toBe('(no row)');
    expect(result.decisions.mismatch!.verdict).toMatch(/do not cover the same bars/);
  });

  it('compares from the first bar both sides enter flat (a run that started mid-position syncs later)', () => {
    // LIVE restarted fresh at bar 3 (flat) while the backtest was still long until bar 5.
    const live = journal('fffffLlx', 3);
    const bt = journal('ffLllxffLlx');
    const result = compareRuns(side('live', live), side('bt', bt));
    expect(result.syncTs).toBe(T0 + 6 * BAR);
    expect(result.window).toEqual({ start: T0 + 3 * BAR, end: T0 + 10 * BAR });
    expect(result.overall).toBe(true);
    expect(result.trades.compared).toBe(1);
  });

  it('fails clearly when the journals do not overlap or one is empty', () => {
    const apart = compareRuns(side('live', journal('fff')), side('bt', journal('fff', 10)));
    expect(apart.overall).toBe(false);
    expect(apart.decisions.mismatch!.verdict).toBe('the journals do not overlap');
    expect(formatEq(apart, 'eq')).toContain('overlap: none');
    const empty = compareRuns(side('live', []), side('bt', journal('fff')));
    expect(empty.decisions.mismatch!.live).toBe('live has no decisions');
  });

  it('fails on a trade lifecycle that differs while decisions agree', () => {
    const rows = journal('ffLllxff');
    const bt = side('bt', rows);
    const result = compareRuns(side('live', rows), {
      ...bt,
      trades: bt.trades.map((t) => ({ ...t, exit_reason: 'stop_hit' as const })),
    });
    expect(result.decisions.pass).toBe(true);
    expect(result.trades.pass).toBe(false);
    expect(result.trades.mismatch!.bt).toContain('stop_hit');
    expect(result.overall).toBe(false);
  });
});
