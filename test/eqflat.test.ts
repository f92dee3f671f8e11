/**
 * The runbook's proof end to end: the simulated exchange, `mjolnir paper` for a few hundred bars with
 * a SIGKILL and a restart inside, then `make eqflat` as operators type it. And the negative: one bar
 * changed in the lake the backtest reads fails, naming that bar.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barAt, DataLayout, type DecisionRow } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  CLI,
  decisions,
  exited,
  paper,
  type Spawned,
  simulatedTimePasses,
  start,
  waitFor,
} from './support/processes.js';

const BAR = 300_000;
const SPEED = 6000;
const START = Date.UTC(2024, 4, 20);
const KEY = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' } as const;

let sim: SimServer;
const root = mkdtempSync(join(tmpdir(), 'mjolnir-eqflat-'));
const config = join(root, 'eqflat.yaml');

beforeAll(async () => {
  sim = await acceleratedSim(START, SPEED, 23);
  writeFileSync(
    config,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: e2e
simulator: { port: ${sim.port}, speed: ${SPEED} }
strategy: { id: ema_cross_atr, params: { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.5, allow_short: true } }
fetch: { timeout_ms: 1000, attempts: 3 }
paper: { fetch_grace_bars: 50 }
`,
  );
});
afterAll(async () => {
  await sim.close();
});

/** Waits until the LIVE journal holds `count` decisions. */
const decided = (child: Spawned, count: number) =>
  waitFor(() => decisions(root, 'e2e').length >= count, `${count} decisions`, child);

const make = (target: string, env: Record<string, string>) =>
  start('make', ['--no-print-directory', target], { DATA_ROOT: root, CONFIG: config, ...env });

describe('make eqflat', () => {
  let live: DecisionRow[] = [];

  it('LIVE through a SIGKILL and a restart, then eqflat: OVERALL PASS and the RUNID', async () => {
    const first = paper(config, root);
    await decided(first, 120);
    first.kill('SIGKILL');
    await exited(first);
    await simulatedTimePasses(sim, 30); // thirty bars close while the loop is down
    const second = paper(config, root);
    await decided(second, 320);
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    expect(second.output()).toContain('Resumed from the journal');
    live = decisions(root, 'e2e');
    expect(live.every((row, i) => i === 0 || row.ts_ms - live[i - 1]!.ts_ms === BAR)).toBe(true);
    expect(
      live.filter((row) => row.reason === 'entry_signal' || row.reason === 'reverse_signal').length,
    ).toBeGreaterThan(10);

    const eqflat = make('eqflat', { RUNID: 'e2e_pass' });
    const code = await exited(eqflat);
    const output = eqflat.output();
    expect(output).toContain('RUNID=e2e_pass');
    expect(output).toMatch(/^\[decisions\] PASS$/m);
    expect(output).toMatch(/^\[trades\] {4}PASS$/m);
    expect(output).toMatch(/^OVERALL PASS$/m);
    expect(output).toContain(`overlap: [${live[0]!.ts_ms}, ${live.at(-1)!.ts_ms}]`);
    expect(code).toBe(0);

    // `make eq` against that run says the same; a missing run is bad usage (exit 2).
    const eq = make('eq', { RUNID: 'e2e_pass' });
    expect(await exited(eq)).toBe(0);
    expect(eq.output()).toMatch(/^OVERALL PASS$/m);
    const missing = make('eq', { RUNID: 'no_such_run' });
    expect(await exited(missing)).not.toBe(0);
    expect(missing.output()).toContain('no_such_run');

    // Plain eqflat (no CONFIG: configs/sim.yaml's defaults, another strategy's parameters) reproduces
    // LIVE from its manifest; a CONFIG LIVE did not run is refused, naming the difference, recording nothing.
    const verdict = new DataLayout(root).eqflatVerdict('e2e', 'BTC/USDT', '5m');
    const plain = start(process.execPath, [CLI, 'eqflat', '--runid', 'e2e_plain'], {
      DATA_ROOT: root,
      DATA_TAG: 'e2e',
    });
    expect(await exited(plain)).toBe(0);
    expect(plain.output()).toMatch(/^OVERALL PASS$/m);
    const other = join(root, 'other.yaml');
    writeFileSync(other, readFileSync(config, 'utf8').replace('slow: 8', 'slow: 9'));
    const recorded = readFileSync(verdict, 'utf8');
    const refused = start(process.execPath, [CLI, 'eqflat', '-c', other, '--runid', 'e2e_other'], {
      DATA_ROOT: root,
    });
    expect(await exited(refused)).toBe(2);
    expect(refused.output()).toContain('strategy.params.slow: 8 -> 9');
    expect(refused.output()).not.toContain('OVERALL');
    expect(readFileSync(verdict, 'utf8')).toBe(recorded);
  }, 150_000);

  it('one bar perturbed in the lake: FAIL, naming that bar and telling different data from different logic', async () => {
    expect(live.length).toBeGreaterThan(300);
    // An entry bar well inside the window, so the change alters that bar's own decision.
    const entry = live.find(
      (row, i) => i > 150 && (row.reason === 'entry_signal' || row.reason === 'reverse_signal'),
    )!;
    const lake = await Lake.open(root);
    try {
      const bar = barAt(await lake.read(KEY, entry.ts_ms, entry.ts_ms), 0);
      // Against the signal: a bar that went long now closes far down, one that went short far up.
      const close = Math.round((entry.position === 'long' ? 0.97 : 1.03) * bar.open * 100) / 100;
      await lake.write(KEY, [
        { ...bar, close, low: Math.min(bar.low, close), high: Math.max(bar.high, close) },
      ]);
    } finally {
      lake.close();
    }
    const eqflat = make('eqflat', { RUNID: 'e2e_fail' });
    const code = await exited(eqflat);
    const output = eqflat.output();
    expect(output).toMatch(/^\[decisions\] FAIL$/m);
    expect(output).toMatch(/^OVERALL FAIL$/m);
    expect(output).toContain(`First mismatch (ts_ms): ts_ms ${entry.ts_ms}`);
    expect(output).toContain(`LIVE: ts_ms=${entry.ts_ms} ${entry.action}/`);
    expect(output).toContain('the input hashes differ: the two sides saw different bars');
    // make reports any failing recipe as its own exit 2; the CLI behind it says FAIL with exit 1.
    expect(code).toBe(2);
    const eq = start(process.execPath, [CLI, 'eq', '-c', config, '--runid', 'e2e_fail'], { DATA_ROOT: root });
    expect(await exited(eq)).toBe(1);
    expect(eq.output()).toContain(`First mismatch (ts_ms): ts_ms ${entry.ts_ms}`);
  }, 60_000);
});
