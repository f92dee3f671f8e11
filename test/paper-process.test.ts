/**
 * The paper loop as operators run it: `mjolnir paper` processes against the simulated exchange at
 * 3000x (a 5m bar every 0.1 s), killed with SIGKILL at random moments and restarted, beside an
 * uninterrupted process over the same market.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionRow } from '@mjolnir/lib';
import { DataLayout } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  exited,
  decisions as journal,
  paper,
  printed,
  simulatedTimePasses,
  sleep,
  start,
  trades as tradeJournal,
  waitFor,
} from './support/processes.js';

const BAR = 300_000;
const SPEED = 3000;
const START = Date.UTC(2024, 2, 10);
const WARMUP_FROM = START - 400 * BAR;

let sim: SimServer;
const work = mkdtempSync(join(tmpdir(), 'mjolnir-paper-'));

function configFile(name: string, port: number, extra = ''): string {
  const file = join(work, name);
  writeFileSync(
    file,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: paper
simulator: { port: ${port}, speed: ${SPEED} }
strategy: { id: ema_cross_atr, params: { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.5, allow_short: true } }
fetch: { timeout_ms: 1000, attempts: 3 }
paper: { warmup_from: ${WARMUP_FROM}, fetch_grace_bars: 20 }
${extra}`,
  );
  return file;
}

const decisions = (root: string) => journal(root, 'paper');
const trades = (root: string) => tradeJournal(root, 'paper');

function expectContiguous(rows: readonly DecisionRow[]): void {
  const steps = rows.slice(1).map((row, i) => row.ts_ms - rows[i]!.ts_ms);
  expect(steps.filter((step) => step !== BAR)).toEqual([]);
}

beforeAll(async () => {
  sim = await acceleratedSim(START, SPEED, 5);
});
afterAll(async () => {
  await sim.close();
});

describe('the paper process', () => {
  it('killed with SIGKILL at random moments dozens of times: no duplicate, no gap, equal to an uninterrupted run', async () => {
    const config = configFile('kill.yaml', sim.port);
    const steady = mkdtempSync(join(work, 'steady-'));
    const killed = mkdtempSync(join(work, 'killed-'));
    const uninterrupted = paper(config, steady);
    let seed = 12345;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    let kills = 0;
    for (let round = 0; round < 24; round++) {
      const child = paper(config, killed);
      if (round === 12) {
        // A planned stop once the loop runs, and an outage of many bars: decided on restart.
        await printed(child, 'Trading system starting');
        child.kill('SIGTERM');
        expect(await exited(child)).toBe(0);
        expect(child.output()).toContain('Shutdown complete');
        await simulatedTimePasses(sim, 30);
        continue;
      }
      // SIGKILL may land anywhere, start-up included: a random moment, by design.
      await sleep(250 + random() * 1200);
      child.kill('SIGKILL');
      await exited(child);
      kills++;
    }
    const last = paper(config, killed);
    // Enough decided before the planned stop, however long the restarts took on a busy machine.
    await waitFor(
      () => decisions(killed).length >= 220 && decisions(steady).length >= 220,
      '220 decisions',
      last,
    );
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);
    uninterrupted.kill('SIGTERM');
    expect(await exited(uninterrupted)).toBe(0);

    const ours = decisions(killed);
    const theirs = decisions(steady);
    expect(kills).toBe(23);
    expect(ours.length).toBeGreaterThan(150);
    expectContiguous(ours);
    expectContiguous(theirs);
    // The same market, the same warmup start: identical indicator state at every bar. A restarted-from-
    // scratch run begins flat, so the two are compared from the first bar both enter flat ("sync at
    // flat", as in the runbooks' equivalence); from there every decision and trade must be identical.
    const steadyByTs = new Map(theirs.map((row) => [row.ts_ms as number, row]));
    // Both flat entering the bar (before its first decision, a fresh start is flat).
    const sync = ours.find(
      (row, i) =>
        steadyByTs.get(row.ts_ms - BAR)?.position === 'flat' && (i === 0 || ours[i - 1]!.position === 'flat'),
    )!;
    const from = ours.indexOf(sync);
    const overlap = theirs.filter((row) => row.ts_ms >= sync.ts_ms && row.ts_ms <= ours.at(-1)!.ts_ms);
    expect(overlap.length).toBeGreaterThan(150);
    // Equity carries each run's realized PnL from before the sync bar, so it is left out.
    expect(ours.slice(from, from + overlap.length).map(({ line: _, equity: __, ...row }) => row)).toEqual(
      overlap.map(({ line: _, equity: __, ...row }) => row),
    );
    const window = (rows: ReturnType<typeof trades>) =>
      rows
        .filter((t) => t.entry_ts_ms >= sync.ts_ms && t.exit_ts_ms <= overlap.at(-1)!.ts_ms)
        .map(({ line: _, ...t }) => t);
    expect(window(trades(killed))).toEqual(window(trades(steady)));
    expect(window(trades(killed)).length).toBeGreaterThan(3);
  }, 120_000);

  it('survives an exchange that rate-limits, fails, hangs, garbles and misorders; every reason is recorded', async () => {
    sim.faults.configure({
      seed: 9,
      rate_limit: 0.05,
      server_error: 0.05,
      timeout: 0.02,
      timeout_ms: 1_500,
      malformed: 0.05,
      duplicate: 0.2,
      out_of_order: 0.2,
      missing: 0.03,
    });
    const root = mkdtempSync(join(work, 'faults-'));
    const child = paper(configFile('faults.yaml', sim.port), root);
    // Missing slots are 3% of all: wait for one (and forty decisions), however long that takes here.
    await waitFor(
      () => {
        const rows = decisions(root);
        return (
          rows.length > 40 &&
          rows.some((r) => r.reason === 'bar_missing') &&
          child.output().includes('Exchange data flagged')
        );
      },
      'forty decisions through the faults, a missing bar among them',
      child,
    );
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    sim.faults.configure({
      rate_limit: 0,
      server_error: 0,
      timeout: 0,
      malformed: 0,
      duplicate: 0,
      out_of_order: 0,
      missing: 0,
    });
    const rows = decisions(root);
    expect(rows.length).toBeGreaterThan(30);
    expectContiguous(rows);
    expect(rows.some((r) => r.reason === 'bar_missing')).toBe(true);
    const output = child.output();
    expect(output).toContain('Exchange request failed; retrying');
    expect(output).toContain('Exchange data flagged');
    expect(output).toContain('Shutdown complete');
  }, 120_000);

  it('SIGTERM to the `make paper` process group (make passes it on: two signals) always shuts down cleanly', async () => {
    const config = configFile('make.yaml', sim.port);
    const root = mkdtempSync(join(work, 'make-'));
    for (let attempt = 0; attempt < 3; attempt++) {
      const make = start('make', ['--no-print-directory', 'paper'], { CONFIG: config, DATA_ROOT: root });
      await printed(make, 'Trading system starting');
      if (attempt > 0) await printed(make, 'Resumed from the journal');
      await waitFor(() => decisions(root).length > attempt * 5 + 3, 'a few decisions', make);
      process.kill(-make.pid!, 'SIGTERM');
      await exited(make);
      const output = make.output();
      expect(output).toContain('Shutdown requested');
      expect(output).toContain('Shutdown complete');
    }
    expectContiguous(decisions(root));
  }, 120_000);

  it('a bad config or a corrupt journal row: a clear error naming file and line (exit 2), nothing rewritten', async () => {
    const bad = configFile('bad.yaml', sim.port, 'capital: -1\n');
    const refused = paper(bad, mkdtempSync(join(work, 'bad-')));
    expect(await exited(refused)).toBe(2);
    expect(refused.output()).toContain(`${bad}:9:10: capital = -1: expected a number > 0`);

    const root = mkdtempSync(join(work, 'corrupt-'));
    const config = configFile('ok.yaml', sim.port);
    const first = paper(config, root);
    await waitFor(() => decisions(root).length > 10, 'ten decisions', first);
    first.kill('SIGTERM');
    await exited(first);
    const path = new DataLayout(root).decisions('paper', 'BTC/USDT', '5m');
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.length).toBeGreaterThan(5);
    lines[3] = lines[3]!.replace(/^sim,BTC\/USDT,5m,\d+/, 'sim,BTC/USDT,5m,not-a-time');
    writeFileSync(path, lines.join('\n'));
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    const again = paper(config, root);
    expect(await exited(again)).toBe(2);
    expect(again.output()).toContain(
      `error [data_invalid] sim BTC/USDT 5m: ${path}:4: ts_ms "not-a-time" is not an integer ms timestamp`,
    );
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(digest);
  }, 120_000);
});
