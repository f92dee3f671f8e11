import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config/index.js';
import { engineSpecOf, parseConfig, streamsOf } from '../config/index.js';
import type { BarSeries } from '../market/index.js';
import type { Lake } from '../store/index.js';
import { STRATEGIES } from '../strategy/index.js';
import { runBacktest } from './backtest.js';
import { expandGrid, MAX_COMBINATIONS, parseGrid, parseGridAxis } from './grid.js';
import { rankSweep, runSweep, type SweepRow } from './sweep.js';
import { specWith } from './sweep-run.js';
import { at, KEY, lakeWithSeries, TF } from './test-support/market.js';

describe('sweep grids', () => {
  it('parse lists, inclusive ranges (decimal steps exact) and booleans', () => {
    expect(parseGridAxis('fast=3:15:3')).toEqual(['fast', [3, 6, 9, 12, 15]]);
    expect(parseGridAxis('slow=20:22')).toEqual(['slow', [20, 21, 22]]);
    expect(parseGridAxis('atr_mult=0.1:0.7:0.2')).toEqual(['atr_mult', [0.1, 0.3, 0.5, 0.7]]);
    expect(parseGridAxis('allow_short=true,false')).toEqual(['allow_short', [true, false]]);
    expect(parseGridAxis(' fast = 5, 8 '.replace(/ /g, ''))).toEqual(['fast', [5, 8]]);
  });

  it('refuse what they cannot read, naming the axis', () => {
    expect(() => parseGridAxis('fast')).toThrow(/expected name=v1,v2/);
    expect(() => parseGridAxis('fast=5,x')).toThrow(/grid axis fast: "x" is not a number/);
    expect(() => parseGridAxis('fast=9:3')).toThrow(/from <= to/);
    expect(() => parseGridAxis('fast=1:9:0')).toThrow(/step > 0/);
    expect(() => parseGridAxis('fast=1:true')).toThrow(/in numbers/);
    expect(() => parseGrid(['fast=1,2', 'fast=3'])).toThrow(/given twice/);
    expect(() => expandGrid({ fast: [] })).toThrow(/no values/);
    expect(() => expandGrid({ a: new Array(1_001).fill(1), b: new Array(1_000).fill(1) })).toThrow(
      String(MAX_COMBINATIONS),
    );
  });

  it('expand to every combination, the first parameter varying slowest', () => {
    expect(expandGrid({ fast: [3, 5], slow: [10, 20, 30] })).toEqual([
      { fast: 3, slow: 10 },
      { fast: 3, slow: 20 },
      { fast: 3, slow: 30 },
      { fast: 5, slow: 10 },
      { fast: 5, slow: 20 },
      { fast: 5, slow: 30 },
    ]);
  });
});

describe('parameter sweeps', () => {
  let lake: Lake;
  let config: Config;
  let series: BarSeries;
  const grid = { fast: [3, 5, 8], slow: [8, 13, 21], atr_mult: [1.2, 2.5] };
  const window = { start: at(1_000), end: at(2_600) };

  beforeAll(async () => {
    lake = await lakeWithSeries();
    const parsed = parseConfig(
      `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: unit
simulator: { port: 9 }
strategy: { id: ema_cross_atr, params: { atr_period: 5, allow_short: true } }
sizing: { mode: equity_fraction, fraction: 0.5 }
`,
      'sweep.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    config = parsed.value;
    series = await lake.read(KEY, at(0), window.end);
  });
  afterAll(() => lake.close());

  it('score each set exactly as a backtest of it scores, and report the sets the strategy refuses', async () => {
    const rows = await runSweep({ config, grid, series, window, workers: 0 });
    expect(rows.map((row) => row.index)).toEqual([...Array(18).keys()]);
    const refused = rows.filter((row) => !row.outcome.ok);
    // fast >= slow: (8, 8) only.
    expect(refused.map((row) => row.params)).toEqual([
      { fast: 8, slow: 8, atr_mult: 1.2 },
      { fast: 8, slow: 8, atr_mult: 2.5 },
    ]);
    expect(refused[0]!.outcome).toEqual({
      ok: false,
      error: expect.stringMatching(/fast must be smaller than slow/),
    });
    for (const index of [0, 7, 15]) {
      const row = rows[index]!;
      const backtest = await runBacktest(lake, {
        spec: specWith(config, row.params),
        stream: streamsOf(config)[0]!,
        runId: `sweep_check_${index}`,
        start: window.start,
        end: window.end,
        codeVersion: 'test',
        now: 0,
      });
      expect(row.outcome).toEqual({
        ok: true,
        bars: (window.end - window.start) / TF.ms + 1 - 3, // bars 1225, 1838 and 2451 are missing
        performance: backtest.performance,
        trades: backtest.trades,
      });
    }
  });

  it('give the same rows on worker threads as in this thread, with progress for every set', async () => {
    const seen: number[] = [];
    const inline = await runSweep({ config, grid, series, window, workers: 0 });
    const threaded = await runSweep({
      config,
      grid,
      series,
      window,
      workers: 2,
      onProgress: (done, total) => {
        expect(total).toBe(18);
        seen.push(done);
      },
    });
    expect(threaded).toEqual(inline);
    expect(seen).toEqual([...Array(18).keys()].map((i) => i + 1));
    // The strategy passed as an object (a notebook's) cannot cross to threads: the same rows, here.
    const object = await runSweep({
      config,
      grid,
      series,
      window,
      workers: 2,
      definition: STRATEGIES.ema_cross_atr,
    });
    expect(object).toEqual(inline);
  });

  it('rank by a metric, best first, refused sets last; drawdown ranks smallest first', async () => {
    const rows = await runSweep({ config, grid, series, window, workers: 0 });
    const ok = (row: SweepRow) => row.outcome.ok;
    const byReturn = rankSweep(rows, 'total_return');
    const total = (row: SweepRow) => (row.outcome.ok ? row.outcome.performance.totalReturn : Number.NaN);
    const scored = byReturn.filter(ok);
    expect(scored).toHaveLength(16);
    for (let i = 1; i < scored.length; i++)
      expect(total(scored[i - 1]!)).toBeGreaterThanOrEqual(total(scored[i]!));
    expect(byReturn.slice(16).every((row) => !row.outcome.ok)).toBe(true);
    // 5.5 days of 5m bars: Sharpe is n/a for every set; by it, the scored sets keep the grid's order
    // and the refused ones still come last.
    const bySharpe = rankSweep(rows, 'sharpe');
    expect(
      bySharpe.filter(ok).every((row) => row.outcome.ok && Number.isNaN(row.outcome.performance.sharpe)),
    ).toBe(true);
    expect(bySharpe.slice(0, 16).map((row) => row.index)).toEqual(rows.filter(ok).map((row) => row.index));
    expect(bySharpe.slice(16).every((row) => !row.outcome.ok)).toBe(true);
    const byDrawdown = rankSweep(rows, 'max_drawdown').filter((row) => row.outcome.ok);
    const drawdown = (row: SweepRow) => (row.outcome.ok ? row.outcome.performance.maxDrawdownFraction : 0);
    for (let i = 1; i < byDrawdown.length; i++)
      expect(drawdown(byDrawdown[i - 1]!)).toBeLessThanOrEqual(drawdown(byDrawdown[i]!));
    expect(engineSpecOf(config).strategy.id).toBe('ema_cross_atr');
  });
});
