import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataLayout, DEFAULT_HEALTH } from '@mjolnir/lib';
import { describe, expect, it } from 'vitest';
import {
  appendDecisions,
  appendTrades,
  emptyRoot,
  healthOf,
  OTHER,
  rowsOf,
  STREAM,
  sourcesOver,
  twoStreams,
} from '../test-support/fixtures.js';
import { DashboardSources } from './sources.js';
import { buildView, gapMeter, money, shortTimes, sparkline, type View } from './view-model.js';

const BAR = 300_000;
const UI = { selected: 0, help: false, width: 100, height: 30 };
const text = (view: View) =>
  [...view.left, ...view.right].flatMap((p) => [p.title, ...p.lines.map((l) => l.text)]).join('\n');

describe('the dashboard view model', () => {
  it('waits, saying for what, while there is no stream or no journal', async () => {
    const root = emptyRoot();
    const none = sourcesOver(
      root,
      () => [],
      0,
      () => healthOf(0, {}),
    );
    none.refresh();
    const empty = buildView(none.data(), UI);
    expect(empty.waiting!.map((l) => l.text).join('\n')).toContain(`waiting for a LIVE stream under ${root}`);
    const one = sourcesOver(
      root,
      () => [STREAM],
      0,
      () => healthOf(0, {}),
    );
    one.refresh();
    const waiting = buildView(one.data(), UI).waiting!.map((l) => l.text);
    expect(waiting[0]).toBe('waiting for sim BTC/USDT 5m: no decisions journal yet');
    expect(waiting[1]).toBe(`${root}/processed/decisions/sim/BTC_USDT/5m/decisions.csv`);
  });

  it('shows the last decision, the open position with its stop, equity, PnL, trades, skips and health', async () => {
    const root = emptyRoot();
    const rows = rowsOf(3000);
    appendDecisions(root, STREAM, rows);
    appendTrades(root, STREAM, [
      {
        exchange: 'sim',
        symbol: 'BTC/USDT',
        timeframe: '5m',
        entry_ts_ms: rows[10]!.ts_ms,
        exit_ts_ms: rows[20]!.ts_ms,
        side: 'long',
        entry_price: 100,
        exit_price: 110,
        qty: 1,
        exit_reason: 'stop_hit',
        pnl: 9.5,
        fees: 0.5,
      },
    ]);
    const last = rows.at(-1)!;
    const now = last.ts_ms + 1.5 * BAR;
    const sources = sourcesOver(
      root,
      () => [STREAM],
      now,
      () => healthOf(now, { 'sim BTC/USDT 5m': { status: 'WARN', cause: 'a gap recently' } }),
    );
    sources.refresh();
    await sources.checkHealth();
    const view = buildView(sources.data(), UI);
    expect(view.waiting).toBeNull();
    expect(view.columns).toBe(2);
    const decision = view.left[0]!;
    expect(decision.lines[0]!.text).toContain(`${last.action} ${last.reason}`);
    expect(decision.lines[1]!.text).toBe(`close ${money(last.close)}  position ${last.position}`);
    // The entry is the last opening action while not flat since.
    const opened = rows.findLastIndex(
      (r) => r.action.startsWith('enter_') || r.action.startsWith('reverse_'),
    );
    const flatSince = rows.slice(opened).some((r) => r.position === 'flat');
    expect(decision.lines[2]!.text).toBe(
      flatSince
        ? 'no open position'
        : `open since ${new Date(rows[opened]!.ts_ms).toISOString().slice(0, 16).replace('T', ' ')}Z @ ${money(rows[opened]!.fill_price)}  stop ${money(last.stop)}`,
    );
    expect(decision.lines[3]!.text).toBe('strategy ema_cross_atr@0f1e2d3c  spec abc123');
    expect(decision.lines[4]).toMatchObject({
      tone: 'warn',
      text: expect.stringMatching(/^bar age 1\.5 bar\(s\) /),
    });
    const equity = view.left[1]!.lines.map((l) => l.text);
    expect(equity[0]).toMatch(/^[▁▂▃▄▅▆▇█]+$/);
    expect(equity[1]).toContain(money(last.equity));
    expect(equity[2]).toContain(
      `total ${last.equity - rows[0]!.equity > 0 ? '+' : ''}${money(last.equity - rows[0]!.equity)}`,
    );
    expect(equity[3]).toBe('1 trade(s), 1 won, realised +9.50');
    expect(view.left[2]!.lines[0]).toMatchObject({
      tone: 'ok',
      // The PnL first: it stays on screen when an 80-column terminal cuts the line.
      text: expect.stringMatching(/^\+9\.50 .* stop_hit$/),
    });
    // The verdict says when it was judged: a simulator's clock runs on between checks.
    const at = new Date(now).toISOString().slice(11, 16);
    expect(view.right[0]).toMatchObject({ title: `Health WARN as of ${at}Z (venue)`, tone: 'warn' });
    // Causes whole: wrapped at the panel's edge, never cut.
    expect(view.right[0]!.lines[0]).toMatchObject({
      text: 'WARN decisions 0 bar(s) behind: a gap recently',
      wrap: true,
    });
    const skips = rows.filter((r) => r.action === 'skip');
    expect(skips.length).toBeGreaterThan(0);
    expect(text(view)).toMatch(/skips .*bar_missing=\d+/);
    const gaps = rows.slice(1).filter((r, i) => r.ts_ms - rows[i]!.ts_ms !== BAR).length;
    expect(gaps).toBeGreaterThan(0);
    expect(view.right[1]!.lines[1]!.text).toBe(`cadence gaps ${gaps} in ${rows.length} decision(s)`);
  });

  it('never writes: the data root is byte for byte and time for time what it was', async () => {
    const root = emptyRoot();
    appendDecisions(root, STREAM, rowsOf(500));
    const listing = () =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const path = join(e.parentPath, e.name);
          const stat = statSync(path);
          return `${path} ${stat.size} ${stat.mtimeMs} ${readFileSync(path).toString('base64').length}`;
        })
        .sort();
    const before = listing();
    const sources = sourcesOver(
      root,
      () => [STREAM, OTHER],
      0,
      () => healthOf(0, {}),
    );
    for (let i = 0; i < 3; i++) {
      sources.refresh();
      await sources.checkHealth();
      buildView(sources.data(), UI);
    }
    expect(listing()).toEqual(before);
  });

  it('lists several streams, selects one, goes to one column when narrow, and shows the help', async () => {
    const { sources } = twoStreams();
    sources.refresh();
    await sources.checkHealth();
    const second = buildView(sources.data(), { ...UI, selected: 1, width: 60 });
    expect(second.tabs.map((t) => [t.label, t.selected, t.tone])).toEqual([
      ['sim BTC/USDT 5m', false, 'ok'],
      ['alt ETH/USDT 5m', true, 'fail'],
    ]);
    expect(second.title.text).toContain('alt ETH/USDT 5m');
    expect(second.columns).toBe(1);
    expect(buildView(sources.data(), { ...UI, help: true }).help!.map((l) => l.text)).toContain(
      'q             quit',
    );
  });

  it("scales the gap meter by health's grace, says a failing healthcheck, and shows bad journal lines beside the good rows", async () => {
    const root = emptyRoot();
    const rows = rowsOf(40);
    appendDecisions(root, STREAM, rows);
    const layout = new DataLayout(root);
    appendFileSync(
      layout.decisions(STREAM.tag, STREAM.symbol, STREAM.timeframe),
      'garbage appended by hand\n',
    );
    const now = rows.at(-1)!.ts_ms + 30 * BAR;
    let failing = false;
    const sources = new DashboardSources({
      dataRoot: root,
      streams: () => [STREAM],
      clock: { now: () => now },
      healthOptions: { ...DEFAULT_HEALTH, graceBars: 100 },
      health: async () => {
        if (failing) throw new Error('DuckDB: the lake is locked');
        return healthOf(now, { 'sim BTC/USDT 5m': { status: 'OK' } });
      },
    });
    sources.refresh();
    await sources.checkHealth();
    const view = buildView(sources.data(), UI);
    const decision = view.left[0]!.lines.map((l) => l.text);
    // 30 bars behind is well within a grace of 100 (the demo's): not a failing tone.
    expect(view.left[0]!.lines[4]).toMatchObject({
      tone: 'warn',
      text: expect.stringMatching(/^bar age 30\.0 bar\(s\)/),
    });
    expect(decision[0]).toContain(`${rows.at(-1)!.action} ${rows.at(-1)!.reason}`);
    const lines = layout.decisions(STREAM.tag, STREAM.symbol, STREAM.timeframe);
    expect(decision).toContain(`1 bad journal line(s): ${lines}:42: expected 18 fields, found 1`);
    failing = true;
    await sources.checkHealth();
    const failed = buildView(sources.data(), UI).right[0]!;
    expect(failed.tone).toBe('fail');
    expect(failed.lines[0]!.text).toBe('the healthcheck failed: DuckDB: the lake is locked');
  });

  it("says a bar's age cannot be judged when a simulator's clock does not answer, and ahead of the clock is a finding", async () => {
    const root = emptyRoot();
    const rows = rowsOf(20);
    appendDecisions(root, STREAM, rows);
    const machine = healthOf(0, { 'sim BTC/USDT 5m': { status: 'WARN' } });
    const unjudged = {
      ...machine,
      streams: machine.streams.map((st) => ({ ...st, clock: 'machine' as const, rate: 300 })),
    };
    const sources = sourcesOver(
      root,
      () => [STREAM],
      0,
      () => unjudged,
    );
    sources.refresh();
    await sources.checkHealth();
    expect(buildView(sources.data(), UI).left[0]!.lines[4]!.text).toBe(
      "bar age: not judged (the venue's clock does not answer)",
    );
    expect(gapMeter(-3, 2, 12)).toMatchObject({ tone: 'fail', text: expect.stringContaining('ahead of') });
  });

  it('draws sparklines and gap meters to width, in the tone of the lag', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(
      sparkline(
        Array.from({ length: 1000 }, (_, i) => i),
        10,
      ),
    ).toHaveLength(10);
    expect(sparkline([5, 5, 5], 3)).toBe('▄▄▄');
    expect(sparkline([], 10)).toBe('');
    expect(gapMeter(0.5, 2, 12)).toEqual({ text: 'bar age 0.5 bar(s) ▕██░░░░░░░░░░▏', tone: 'ok' });
    expect(gapMeter(2, 2, 12).tone).toBe('warn');
    expect(gapMeter(7, 2, 12)).toEqual({ text: 'bar age 7.0 bar(s) ▕████████████▏', tone: 'fail' });
    expect(money(Number.NaN)).toBe('n/a');
    const now = Date.UTC(2024, 5, 1, 12);
    expect(shortTimes('0 bar(s) behind 2024-06-01T11:55:00.000Z', now)).toBe('0 bar(s) behind 11:55Z');
    expect(shortTimes('since 2024-05-31T23:55:00.000Z', now)).toBe('since 05-31 23:55Z');
    expect(money(-1234.5)).toBe('-1,234.50');
  });
});
