/**
 * `mjolnir health` / `make health` on the files a real paper loop writes against the simulator:
 * healthy (0), the kill switch (WARN: 0 in operator mode, 1 strict), the loop stopped while the
 * exchange's time goes on (FAIL, 2, naming the stale decisions and the missing heartbeat), in JSON and
 * in words; a running loop whose every bar is persist_failed (FAIL: it records but does not trade).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLayout, type HealthReport } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  CLI,
  decisions,
  exited,
  paper,
  simulatedTimePasses,
  start,
  waitFor,
} from './support/processes.js';

const START = Date.UTC(2024, 4, 6);
const work = mkdtempSync(join(tmpdir(), 'mjolnir-health-'));
const root = join(work, 'data');
const failingRoot = join(work, 'data-persist-failed');
/** The data root `health` reads. */
let dataRoot = root;
const config = join(work, 'health.yaml');
let sim: SimServer;

beforeAll(async () => {
  sim = await acceleratedSim(START, 300, 5);
  writeFileSync(
    config,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: watched
simulator: { port: ${sim.port}, speed: 300 }
strategy: { id: ema_cross_atr, params: { fast: 3, slow: 8, atr_period: 5 } }
fetch: { timeout_ms: 1000, attempts: 3 }
paper: { history_bars: 60 }
`,
  );
});
afterAll(async () => {
  await sim.close();
});

/** `mjolnir health -c <config>` with extra arguments: exit code, output and (with --json) the report. */
async function health(
  ...args: string[]
): Promise<{ code: number | null; output: string; report?: HealthReport }> {
  const child = start(process.execPath, [CLI, 'health', '-c', config, ...args], { DATA_ROOT: dataRoot });
  const code = await exited(child);
  const output = child.output();
  return { code, output, ...(args.includes('--json') ? { report: JSON.parse(output) as HealthReport } : {}) };
}

const statusOf = (report: HealthReport | undefined, name: string) =>
  report!.streams[0]!.checks.find((c) => c.name === name)!.status;

describe('the healthcheck on a live paper loop', () => {
  it('OK while it runs, WARN under the kill switch (exit 1 only when strict), FAIL once it stops', async () => {
    const live = paper(config, root);
    await waitFor(() => decisions(root, 'watched').length >= 5, 'five decisions', live);

    const ok = await health('--json');
    expect(ok.code).toBe(0);
    expect(ok.report).toMatchObject({ status: 'OK', mode: 'operator', clock: 'exchange' });
    expect(ok.report!.streams[0]!.stream).toBe('watched BTC/USDT 5m');
    expect(statusOf(ok.report, 'feed')).toBe('OK');

    const flag = new DataLayout(root).killSwitch();
    mkdirSync(join(flag, '..'), { recursive: true });
    writeFileSync(flag, 'halt\n');
    const warned = await health();
    expect(warned.code).toBe(0);
    expect(warned.output).toMatch(/^health WARN \(operator mode/m);
    expect(warned.output).toMatch(/WARN kill_switch on {2}\(new entries are refused\)/);
    const strict = await health('--strict', '--json');
    expect(strict.code).toBe(1);
    expect(strict.report).toMatchObject({ status: 'WARN', mode: 'strict' });
    rmSync(flag);

    live.kill('SIGTERM');
    expect(await exited(live)).toBe(0);
    await simulatedTimePasses(sim, 6); // six bars close with nobody deciding them
    const failed = await health('--json');
    expect(failed.code).toBe(2);
    expect(failed.report!.status).toBe('FAIL');
    expect(statusOf(failed.report, 'decisions')).toBe('FAIL');
    expect(statusOf(failed.report, 'heartbeat')).toBe('FAIL');
    const words = await health();
    expect(words.output).toMatch(/FAIL decisions {3}\d+ bar\(s\) behind .*is the loop running\?/);
    expect(words.output).toContain('no paper process holds this stream');
  }, 90_000);

  it('FAILs a loop that records every bar as persist_failed: it runs, but does not trade', async () => {
    const first = paper(config, failingRoot);
    await waitFor(() => decisions(failingRoot, 'watched').length >= 3, 'decisions', first);
    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    const failing = paper(config, failingRoot, { FORCE_PERSIST_FAIL: '1' });
    await waitFor(
      () =>
        decisions(failingRoot, 'watched')
          .slice(-3)
          .every((row) => row.reason === 'persist_failed'),
      'three persist_failed decisions in a row',
      failing,
    );
    dataRoot = failingRoot;
    const verdict = await health('--json');
    failing.kill('SIGTERM');
    await exited(failing);
    expect(verdict.code).toBe(2);
    expect(statusOf(verdict.report, 'skips')).toBe('FAIL');
    expect(statusOf(verdict.report, 'heartbeat')).toBe('OK');
    const skips = verdict.report!.streams[0]!.checks.find((c) => c.name === 'skips')!;
    expect(skips.figure).toMatch(/persist_failed=\d+/);
    expect(skips.cause).toContain('does not trade');
  }, 90_000);
});
