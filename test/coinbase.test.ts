/**
 * The default venue end to end: `mjolnir paper` on Coinbase BTC/USD 5m (configs/sim-coinbase.yaml's
 * stream) against the simulator speaking Coinbase's API, through a SIGKILL and a restart: one decision
 * per closed bar, never one for the candle still forming, then `make eqflat` OVERALL PASS.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLayout } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  cliRun,
  decisions,
  exited,
  paper,
  ROOT,
  type Spawned,
  simulatedTimePasses,
  start,
  waitFor,
} from './support/processes.js';

const BAR = 300_000;
const SPEED = 6000;
const START = Date.UTC(2024, 4, 20);
let sim: SimServer;
const root = mkdtempSync(join(tmpdir(), 'mjolnir-coinbase-'));
const config = join(root, 'coinbase.yaml');

beforeAll(async () => {
  sim = await acceleratedSim(START, SPEED, 31, 'coinbase');
  // configs/sim-coinbase.yaml, on this test's simulator and a faster strategy (more trades to compare).
  const text = readFileSync(join(ROOT, 'configs/sim-coinbase.yaml'), 'utf8')
    .replace('port: 8765', `port: ${sim.port}\n  speed: ${SPEED}`)
    .replace('data_tag: sim', 'data_tag: cb')
    .replace('fast: 12, slow: 26, atr_period: 14', 'fast: 3, slow: 8, atr_period: 5')
    .replace('fee_bps: 10', 'fee_bps: market');
  writeFileSync(config, `${text}paper: { fetch_grace_bars: 50 }\n`);
});
afterAll(async () => {
  await sim.close();
});

const live = () => decisions(root, 'cb', 'BTC/USD');
const decided = (child: Spawned, count: number) =>
  waitFor(() => live().length >= count, `${count} decisions`, child);

describe('Coinbase, the default venue', () => {
  it('paper through a SIGKILL and a restart decides each closed bar once, never the forming one; eqflat PASS', async () => {
    const first = paper(config, root);
    await decided(first, 100);
    first.kill('SIGKILL');
    await exited(first);
    await simulatedTimePasses(sim, 20);
    const second = paper(config, root);
    await decided(second, 220);
    // Every decision is of a bar that had closed by the venue's clock when it was read.
    const rows = live();
    expect(rows.at(-1)!.ts_ms).toBeLessThanOrEqual(sim.clock.now());
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    expect(second.output()).toContain('Resumed from the journal');
    // The latest 300 candles hold the one still forming: 299 closed ones were taken.
    expect(first.output()).toMatch(/"bars":300,"closed":299/);
    // The venue's rules (market_rules: venue), read through ccxt at each start, stored beside the bars
    // and kept in the run's manifest: the backtest eqflat runs applies the same.
    expect(first.output()).toContain('"msg":"Market rules read"');
    const rules = { amountStep: '0.00000001', minAmount: '0.00000001', priceTick: '0.01', minNotional: '1' };
    const key = { exchange: 'sim', symbol: 'BTC/USD', timeframe: '5m' } as const;
    expect(
      JSON.parse(readFileSync(join(new DataLayout(root).rawDir(key), '_market_rules.json'), 'utf8')),
    ).toMatchObject({
      rules,
      fees: { maker: 0.006, taker: 0.012 },
    });
    const manifest = JSON.parse(
      readFileSync(new DataLayout(root).liveManifest('cb', 'BTC/USD', '5m'), 'utf8'),
    );
    expect(manifest.config.marketRules).toEqual(rules);
    // fee_bps: market, the venue's taker fee (ccxt's coinbase entry tier: 1.2%).
    expect(manifest.config.costs.feeBps).toBe(120);
    const all = live();
    expect(all.every((row, i) => i === 0 || row.ts_ms - all[i - 1]!.ts_ms === BAR)).toBe(true);
    // All of it through Coinbase's endpoints: candles, and the venue's time in milliseconds.
    expect(sim.requests['/api/v3/brokerage/market/products/BTC-USD/candles']).toBeGreaterThan(10);
    expect(sim.requests['/api/v3/brokerage/time']).toBeGreaterThan(10);
    const eqflat = start('make', ['--no-print-directory', 'eqflat'], {
      DATA_ROOT: root,
      CONFIG: config,
      RUNID: 'cb',
    });
    const code = await exited(eqflat);
    expect(eqflat.output()).toMatch(/^OVERALL PASS$/m);
    expect(eqflat.output()).toContain('BTC/USD 5m');
    expect(code).toBe(0);
    // Without stored rules (another data root) a backtest of this config is refused, saying why.
    const bare = cliRun(['backtest', '-c', config, '--start', '2024-05-20', '--end', '2024-05-21'], {
      DATA_ROOT: mkdtempSync(join(tmpdir(), 'mjolnir-bare-')),
    });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(
      "the config asks for the venue's market rules or fees, but none of sim BTC/USD are stored in",
    );
  });
});
