/**
 * `mjolnir backtest`, `eq`, `sweep` and `lookahead` as operators type them, over a real lake: outputs,
 * exit codes (0 ok, 1 FAIL, 2 bad usage or missing input) and the files they leave.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsFromSeries, DataLayout, generateSeries, type TsMs, timeframe } from '@mjolnir/lib';
import { Lake } from '@mjolnir/lib/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRun } from './support/processes.js';

const TF = timeframe('5m');
const FIRST = Date.UTC(2024, 0, 1) + TF.ms;
const root = mkdtempSync(join(tmpdir(), 'mjolnir-cli-bt-'));
const config = join(root, 'bt.yaml');
const layout = new DataLayout(root);
const START = new Date(FIRST + 1_000 * TF.ms).toISOString();
const END = new Date(FIRST + 2_999 * TF.ms).toISOString();

const cli = (args: string[], env: Record<string, string> = {}) =>
  cliRun(args, { DATA_ROOT: root, CONFIG: config, ...env });

beforeAll(async () => {
  writeFileSync(
    config,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: ops
strategy: { id: ema_cross_atr, params: { fast: 5, slow: 13, atr_period: 7, allow_short: true } }
`,
  );
  const lake = await Lake.open(root);
  try {
    const series = generateSeries({ seed: 3, timeframe: TF, startTs: FIRST as TsMs }, 3_000);
    await lake.write({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' }, barsFromSeries(series));
  } finally {
    lake.close();
  }
});

describe('the backtest commands', () => {
  it('backtest writes the <tag>_bt_<RUNID> trees and the manifest, and refuses to overwrite them', () => {
    const run = cli(['backtest', '--start', START, '--end', END, '--runid', 'one']);
    // 2,000 5m bars are 6 days: too few to annualise a ratio, and said so (not a Sharpe of noise).
    expect(run.stderr).toBe(
      'note: Sharpe and Sortino n/a: 6 days (1999 returns) of bars, annualised ratios need at least 30 days and 30 returns\n',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^RUNID\s+one$/m);
    expect(run.stdout).toMatch(
      /^return\s+-?\d+\.\d\d% {2}Sharpe n\/a {2}Sortino n\/a \(under 30 days: not annualised\) {2}max drawdown \d+\.\d\d%/m,
    );
    const decisions = layout.decisions('ops_bt_one', 'BTC/USDT', '5m');
    expect(readFileSync(decisions, 'utf8').trim().split('\n')).toHaveLength(2_000 + 1);
    expect(existsSync(layout.trades('ops_bt_one', 'BTC/USDT', '5m'))).toBe(true);
    expect(JSON.parse(readFileSync(layout.manifest('one'), 'utf8')).window).toEqual({
      start_ts_ms: Date.parse(START),
      end_ts_ms: Date.parse(END),
    });
    const again = cli(['backtest', '--runid', 'one'], { START_TS_MS: START, END_TS_MS: END });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwritten');
  });

  it('backtest says when months were read from day files, and stops saying it once compacted', async () => {
    const longRoot = mkdtempSync(join(tmpdir(), 'mjolnir-cli-bt-months-'));
    const lake = await Lake.open(longRoot);
    const key = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' } as const;
    try {
      // Three calendar months of 5m bars.
      const series = generateSeries({ seed: 4, timeframe: TF, startTs: FIRST as TsMs }, 70 * 288);
      await lake.write(key, barsFromSeries(series));
    } finally {
      lake.close();
    }
    const window = ['--start', START, '--end', new Date(FIRST + 69 * 288 * TF.ms).toISOString()];
    const env = { DATA_ROOT: longRoot };
    const before = cli(['backtest', ...window, '--runid', 'm1'], env);
    expect(before.code).toBe(0);
    expect(before.stderr).toContain('note: 3 of 3 months were read from day files');
    expect(before.stderr).toContain(
      '`mjolnir lake compact --exchange binance --symbol BTC/USDT --timeframe 5m`',
    );
    expect(
      cli(['lake', 'compact', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '5m'], env)
        .code,
    ).toBe(0);
    const after = cli(['backtest', ...window, '--runid', 'm2'], env);
    expect(after.code).toBe(0);
    expect(after.stderr).toBe('');
    // The same decisions either way.
    const rows = (runId: string) =>
      readFileSync(new DataLayout(longRoot).decisions(`ops_bt_${runId}`, 'BTC/USDT', '5m'), 'utf8');
    expect(rows('m2')).toBe(rows('m1'));
  });

  it('bad usage and missing input exit 2 with a message that says what to do', () => {
    const noWindow = cli(['backtest', '--runid', 'x']);
    expect(noWindow.code).toBe(2);
    expect(noWindow.stderr).toContain('needs --start and --end (START_TS_MS, END_TS_MS)');
    const badId = cli(['backtest', '--start', START, '--end', END, '--runid', '../escape']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('RUNID "../escape" must be letters, digits');
    const noLive = cli(['eq', '--runid', 'one']);
    expect(noLive.code).toBe(2);
    expect(noLive.stderr).toContain(`${layout.decisions('ops', 'BTC/USDT', '5m')} does not exist`);
    const noFlat = cli(['eqflat', '--runid', 'flat']);
    expect(noFlat.code).toBe(2);
  });

  it('eq of a backtest against itself passes; against a shifted window it still compares the overlap', () => {
    cli(['backtest', '--start', START, '--end', END, '--runid', 'two']);
    const same = cli(['eq', '--live-tag', 'ops_bt_one', '--bt-tag', 'ops_bt_two']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^OVERALL PASS$/m);
    const later = new Date(FIRST + 1_500 * TF.ms).toISOString();
    cli(['backtest', '--start', later, '--end', END, '--runid', 'three']);
    const shifted = cli(['eq', '--live-tag', 'ops_bt_one', '--bt-tag', 'ops_bt_three']);
    expect(shifted.stdout).toContain(`overlap: [${Date.parse(later)}, ${Date.parse(END)}]`);
    expect(shifted.code).toBe(0);
  });

  it('sweep ranks a grid on worker threads, shows progress and writes the table beside a manifest', () => {
    const run = cli([
      'sweep',
      '--start',
      START,
      '--end',
      END,
      '-g',
      'fast=3:7:2',
      '-g',
      'slow=5,13',
      '--sort',
      'total_return',
      '--workers',
      '2',
      '--runid',
      'grid',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('sweep ema_cross_atr 100.0%  6/6 sets');
    expect(run.stdout).toMatch(/^#\s+fast\s+slow\s+return\s+Sharpe\*/m);
    expect(run.stdout).toContain(
      '* Sharpe and Sortino annualised: mean per-bar return over its deviation x sqrt(bars per year), risk-free rate 0\n  n/a under 30 days of bars\n',
    );
    expect(run.stdout).toContain('6 sets (2 refused, e.g. strategy ema_cross_atr: params.fast');
    const table = readFileSync(layout.runFile('grid', 'sweep.csv'), 'utf8').trim().split('\n');
    expect(table[0]).toBe(
      'rank,fast,slow,total_return,sharpe,sortino,max_drawdown,exposure,net_pnl,profit_factor,win_rate,trades,refused',
    );
    expect(table).toHaveLength(7);
    const returns = table.slice(1, 5).map((line) => Number(line.split(',')[3]));
    expect(returns).toEqual([...returns].sort((a, b) => b - a));
    expect(JSON.parse(readFileSync(layout.manifest('grid'), 'utf8'))).toMatchObject({
      kind: 'sweep',
      sets: 6,
      refused: 2,
      ranked_by: 'total_return',
    });
    const badMetric = cli(['sweep', '--start', START, '--end', END, '-g', 'fast=3', '--sort', 'luck']);
    expect(badMetric.code).toBe(2);
    expect(badMetric.stderr).toContain('--sort luck: expected one of total_return, sharpe');
    // Ranked by Sharpe over 6 days: n/a for every set, so nothing is "best", and that is said.
    const bySharpe = cli(['sweep', '--start', START, '--end', END, '-g', 'fast=3,5', '--runid', 'by_sharpe']);
    expect(bySharpe.code).toBe(0);
    expect(bySharpe.stderr).toContain(
      "note: sharpe is n/a for every set (Sharpe and Sortino n/a: 6 days (1999 returns) of bars, annualised ratios need at least 30 days and 30 returns): the table keeps the grid's order; --sort total_return ranks them",
    );
    expect(JSON.parse(readFileSync(layout.manifest('by_sharpe'), 'utf8'))).toMatchObject({
      ranked_by: 'sharpe',
      best: null,
    });
  });

  it('a window past the stored bars is decided as far as they go, and said so; one bar gives n/a, not NaN', () => {
    const beyond = new Date(FIRST + 3_099 * TF.ms).toISOString();
    const cut = cli(['backtest', '--start', START, '--end', beyond, '--runid', 'beyond']);
    expect(cut.code).toBe(0);
    const last = new Date(FIRST + 2_999 * TF.ms).toISOString();
    expect(cut.stderr).toContain(
      `warning: the stored bars end at ${last}: the last 100 of the window's 2100 slots (5%) were not decided`,
    );
    const manifest = JSON.parse(readFileSync(layout.manifest('beyond'), 'utf8'));
    expect(manifest.window.end_ts_ms).toBe(Date.parse(beyond));
    expect(manifest.decided).toMatchObject({
      last_ts_ms: Date.parse(END),
      slots: 2100,
      slots_after_data: 100,
    });
    expect(manifest.warnings).toHaveLength(1);

    const one = cli(['backtest', '--start', START, '--end', START, '--runid', 'one_bar']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/Sharpe n\/a {2}Sortino n\/a/);
    expect(one.stdout).not.toContain('NaN');
    expect(one.stderr).toContain('only 1 bar decided: Sharpe, Sortino and drawdown need at least two bars');
  });

  it('a sweep whose every set is refused exits 2 with the reason', () => {
    const run = cli([
      'sweep',
      '--start',
      START,
      '--end',
      END,
      '-g',
      'fast=40,50',
      '-g',
      'slow=5',
      '--runid',
      'void',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error [input_invalid]: every one of the 2 sets was refused, e.g. {"fast":40,"slow":5}',
    );
    expect(JSON.parse(readFileSync(layout.manifest('void'), 'utf8')).status).toBe('all_refused');
  });

  it('lookahead proves the configured strategy does not peek', () => {
    const run = cli(['lookahead', '--start', START, '--end', END, '--cuts', '8']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('lookahead: ema_cross_atr over 2,000 bars, 8 cuts');
    expect(run.stdout).toMatch(/^PASS: every decision up to each cut equals the full run$/m);
  });
});
