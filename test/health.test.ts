/**
 * `mjolnir health` / `make health` on the files a real paper loop writes against the simulator:
 * healthy (0), the kill switch (WARN: 0 in operator mode, 1 strict), the loop stopped while the
 * exchange's time goes on (FAIL, 2, naming the stale decisions and the missing heartbeat), in JSON and
 * in words; restarted after that downtime (WARN, the on-time count climbing to OK); a running loop
 * whose every bar is persist_failed (FAIL: it records but does not trade); a quiet market, a dead feed
 * and an unreachable exchange told apart (simulator faults).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  printed,
  simulatedTimePasses,
  start,
  waitFor,
  writeSimConfig,
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
  writeSimConfig(config, sim.port, 'watched', 3);
});
afterAll(async () => {
  await sim.close();
});

/** `mjolnir health -c <file>` with extra arguments: exit code, output and (with --json) the report. */
async function healthWith(
  file: string,
  ...args: string[]
): Promise<{ code: number | null; output: string; report?: HealthReport }> {
  const child = start(process.execPath, [CLI, 'health', '-c', file, ...args], { DATA_ROOT: dataRoot });
  const code = await exited(child);
  const output = child.output();
  return { code, output, ...(args.includes('--json') ? { report: JSON.parse(output) as HealthReport } : {}) };
}

const health = (...args: string[]) => healthWith(config, ...args);

/** `mjolnir health` with no config at all (`make health` as an operator types it): the run's venue is asked. */
async function bareHealth(
  ...args: string[]
): Promise<{ code: number | null; output: string; report?: HealthReport }> {
  const child = start(process.execPath, [CLI, 'health', ...args], { DATA_ROOT: dataRoot });
  const code = await exited(child);
  const output = child.output();
  return { code, output, ...(args.includes('--json') ? { report: JSON.parse(output) as HealthReport } : {}) };
}

/**
 * For the checks of a loop expected to be keeping up: a grace of 20 bars (20 s at 300x). A loaded
 * 2-core machine can hold the loop back two bars (2 s) now and then, which is not what they test;
 * the checks of a stopped loop or a dead feed keep the default (2 bars) and wait for it.
 */
const FRESH = ['--grace', '20'];

const checkOf = (report: HealthReport | undefined, name: string) =>
  report!.streams[0]!.checks.find((c) => c.name === name)!;

const statusOf = (report: HealthReport | undefined, name: string) =>
  report!.streams[0]!.checks.find((c) => c.name === name)!.status;

describe('the healthcheck on a live paper loop', () => {
  it('OK while it runs, WARN under the kill switch (exit 1 only when strict), FAIL once it stops', async () => {
    const live = paper(config, root);
    await waitFor(() => decisions(root, 'watched').length >= 5, 'five decisions', live);

    const ok = await health(...FRESH, '--json');
    expect(ok.code).toBe(0);
    expect(ok.report).toMatchObject({ status: 'OK', mode: 'operator', clock: 'exchange' });
    expect(ok.report!.streams[0]!.stream).toBe('watched BTC/USDT 5m');
    expect(statusOf(ok.report, 'feed')).toBe('OK');

    const flag = new DataLayout(root).killSwitch();
    mkdirSync(join(flag, '..'), { recursive: true });
    writeFileSync(flag, 'halt\n');
    const warned = await health(...FRESH);
    expect(warned.code).toBe(0);
    expect(warned.output).toMatch(/^health WARN \(operator mode/m);
    expect(warned.output).toMatch(/WARN kill_switch on {2}\(new entries are refused\)/);
    const strict = await health(...FRESH, '--strict', '--json');
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
    expect(words.output).toMatch(/FAIL decisions {3}\d+ bar\(s\) behind .*no paper process holds the stream/);
    expect(words.output).toContain('no paper process holds this stream');
    // Without a config (a simulator runs ahead of this machine's clock): the run's venue is asked and
    // its clock judges, so the stopped loop is as stale as with the config.
    const bare = await bareHealth('--json');
    expect(bare.code).toBe(2);
    expect(bare.report).toMatchObject({ status: 'FAIL', clock: 'exchange' });
    const lag = (r: HealthReport | undefined) =>
      Number(/^(\d+) bar/.exec(checkOf(r, 'decisions').figure)?.[1]);
    expect(lag(bare.report)).toBeGreaterThanOrEqual(lag(failed.report));
    expect((await bareHealth()).output).toContain("judged by the venue's clock");
    // The heartbeat's form: one line.
    const line = await health('--line');
    expect(line.code).toBe(2);
    expect(line.output).toMatch(
      /^FAIL watched BTC\/USDT 5m: decisions \d+ bar\(s\) behind [^\n]*heartbeat [^\n]*\n$/,
    );

    // Restarted after the downtime: it catches up, then WARNs until the on-time count reaches the grace.
    const restarted = paper(config, root);
    await printed(restarted, 'Caught up after downtime');
    const warm = await health(...FRESH, '--json', '--strict');
    expect(warm.code).toBe(1);
    expect(warm.report!.status).toBe('WARN');
    const first = checkOf(warm.report, 'cadence');
    expect(first.status).toBe('WARN');
    expect(first.cause).toMatch(/^restarted after downtime: ([6-9]|\d\d+) slot\(s\) caught up to /);
    expect((await health(...FRESH)).code).toBe(0);
    const seen = [Number(/=(\d+)\//.exec(first.figure)![1])];
    for (;;) {
      const now = await health(...FRESH, '--json');
      const cadence = checkOf(now.report, 'cadence');
      seen.push(Number(/=(\d+)\//.exec(cadence.figure)![1]));
      if (cadence.status === 'OK') {
        expect(now.report!.status).toBe('OK');
        break;
      }
      await simulatedTimePasses(sim, 1);
    }
    expect(seen.at(-1)).toBeGreaterThanOrEqual(12);
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // it only climbs
    restarted.kill('SIGTERM');
    expect(await exited(restarted)).toBe(0);
  }, 120_000);

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
    expect(skips.cause).toContain('bars arrive but cannot be stored');
  }, 90_000);

  it('tells a quiet market (WARN), a dead feed (FAIL) and an unreachable exchange (WARN) apart', async () => {
    dataRoot = join(work, 'data-feed');
    const live = paper(config, dataRoot);
    try {
      await waitFor(() => decisions(dataRoot, 'watched').length >= 3, 'decisions', live);
      const quietFrom = Math.ceil(sim.clock.now() / 300_000) * 300_000;
      sim.faults.configure({ quiet_from: quietFrom });
      await waitFor(
        () => decisions(dataRoot, 'watched').filter((r) => r.ts_ms > quietFrom + 300_000).length >= 3,
        'three decisions on zero-volume bars',
        live,
      );
      const quiet = await health(...FRESH, '--json');
      expect(quiet.code).toBe(0);
      expect(checkOf(quiet.report, 'feed')).toMatchObject({
        status: 'WARN',
        cause: 'a quiet market: bars arrive, nobody trades (not a dead feed)',
      });
      expect(checkOf(quiet.report, 'decisions').status).toBe('OK');
      expect((await health(...FRESH, '--strict')).code).toBe(1);

      sim.faults.configure({ quiet_from: null, feed_stall_at: sim.clock.now() });
      await simulatedTimePasses(sim, 5);
      const dead = await health('--json');
      expect(dead.code).toBe(2);
      expect(checkOf(dead.report, 'feed')).toMatchObject({
        status: 'FAIL',
        cause: 'a dead feed: the venue answers and its clock runs, but the running loop gets no new bars',
      });
      expect(checkOf(dead.report, 'heartbeat').status).toBe('OK');
      expect((await health()).output).toMatch(/FAIL feed {8}venue time \S+ {2}\(a dead feed/);
      expect(checkOf(dead.report, 'decisions').cause).toContain('while a paper process holds the stream');

      // The same files judged through an exchange that does not answer: not a dead feed.
      const unreachable = join(work, 'unreachable.yaml');
      const text = readFileSync(config, 'utf8').replace(`port: ${sim.port}`, 'port: 9');
      writeFileSync(unreachable, text.replace('attempts: 3', 'attempts: 1'));
      const down = await healthWith(unreachable, '--json');
      expect(down.report).toMatchObject({ clock: 'machine' });
      expect(checkOf(down.report, 'feed')).toMatchObject({ status: 'WARN', figure: 'venue unreachable' });
      // A simulator's clock cannot be stood in for by this machine's: staleness is not judged.
      expect(checkOf(down.report, 'decisions')).toMatchObject({ status: 'WARN', figure: 'not judged' });
    } finally {
      sim.faults.configure({ quiet_from: null, feed_stall_at: null });
      live.kill('SIGTERM');
      await exited(live);
    }
  }, 120_000);
});
