/**
 * A strategy of one's own, in a file outside lib/ (strategies/bollinger_breakout.ts) named by a config:
 * `make paper` trades it against the simulator, `make eqflat` reproduces LIVE, `make backtest`,
 * `make lookahead` and `make sweep` (worker threads loading the file themselves) accept it, and the
 * same strategy passed to the library as an object gives byte-identical decisions.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DataLayout, engineSpecOf, loadConfig, streamsOf } from '@mjolnir/lib';
import { runBacktest } from '@mjolnir/lib/backtest';
import type { SimServer } from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import breakout from '../strategies/bollinger_breakout.js';
import { acceleratedSim, decisions, exited, ROOT, start, waitFor } from './support/processes.js';

const BAR = 300_000;
const START = Date.UTC(2024, 3, 2);
const work = mkdtempSync(join(tmpdir(), 'mjolnir-strategy-file-'));
const root = join(work, 'data');
const config = join(work, 'breakout.yaml');
let sim: SimServer;

beforeAll(async () => {
  sim = await acceleratedSim(START, 3000, 11);
  const file = relative(work, join(ROOT, 'strategies/bollinger_breakout.ts'));
  writeFileSync(
    config,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: mine
simulator: { port: ${sim.port}, speed: 3000 }
strategy: { file: ${file}, params: { period: 10, width: 1.5, atr_period: 7, atr_mult: 2 } }
fetch: { timeout_ms: 1000, attempts: 3 }
paper: { history_bars: 900, fetch_grace_bars: 50 }
`,
  );
});
afterAll(async () => {
  await sim.close();
});

const make = (target: string, env: Record<string, string> = {}) =>
  start('make', ['--no-print-directory', target], { DATA_ROOT: root, CONFIG: config, ...env });

async function made(target: string, env: Record<string, string> = {}): Promise<string> {
  const child = make(target, env);
  const code = await exited(child);
  if (code !== 0) throw new Error(`make ${target} exited ${code}:\n${child.output()}`);
  return child.output();
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('a strategy in a file of its own', () => {
  it('runs through make paper, eqflat, backtest, lookahead and sweep; as an object it decides the same', async () => {
    const live = make('paper');
    await waitFor(() => decisions(root, 'mine').length >= 150, '150 decisions', live);
    process.kill(-live.pid!, 'SIGTERM');
    await exited(live);
    expect(live.output()).toContain('Shutdown complete');
    const rows = decisions(root, 'mine');
    expect(new Set(rows.map((r) => r.strategy))).toEqual(new Set(['bollinger_breakout']));
    expect(rows.some((r) => r.action === 'enter_long')).toBe(true);
    expect(rows.at(-1)!.features).toMatch(/^bb_mid=.*;bb_upper=.*;atr=/);

    expect(await made('eqflat', { RUNID: 'flat' })).toMatch(/^OVERALL PASS$/m);

    // A window with the strategy's stable warmup (and the sweep's proof of it) stored before it.
    const lake = await Lake.open(root);
    const bounds = (await lake.bounds({ exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' }))!;
    const window = { start: bounds.first + 400 * BAR, end: bounds.last };
    const env = { START_TS_MS: String(window.start), END_TS_MS: String(window.end) };
    expect(await made('backtest', { ...env, RUNID: 'file' })).toMatch(/^RUNID\s+file$/m);
    const strategyFile = join(ROOT, 'strategies/bollinger_breakout.ts');
    expect(JSON.parse(readFileSync(new DataLayout(root).manifest('file'), 'utf8')).strategy_file).toEqual({
      path: strategyFile,
      sha256: sha(strategyFile),
    });
    expect(await made('lookahead', env)).toMatch(
      /^PASS: every decision up to each cut equals the full run$/m,
    );
    const sweep = await made('sweep', { ...env, GRID: 'period=10,20 atr_mult=1.5,2', RUNID: 'grid' });
    expect(sweep).toMatch(/^4 sets \(0 refused\)/m);

    // The same definition as an object, through the library: the same bytes.
    try {
      const loaded = loadConfig(config);
      const result = await runBacktest(lake, {
        spec: engineSpecOf(loaded, breakout),
        stream: streamsOf(loaded)[0]!,
        runId: 'object',
        ...window,
        codeVersion: 'test',
        now: 0,
      });
      expect(result.decisions).toBeGreaterThan(100);
    } finally {
      lake.close();
    }
    const layout = new DataLayout(root);
    expect(sha(layout.decisions('mine_bt_object', 'BTC/USDT', '5m'))).toBe(
      sha(layout.decisions('mine_bt_file', 'BTC/USDT', '5m')),
    );
    expect(sha(layout.trades('mine_bt_object', 'BTC/USDT', '5m'))).toBe(
      sha(layout.trades('mine_bt_file', 'BTC/USDT', '5m')),
    );
  }, 180_000);
});
