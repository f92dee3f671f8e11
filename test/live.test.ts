/**
 * The paper loop in process, against the real simulator (ccxt's binance class over loopback) and the
 * real lake, with a test clock so every scenario is exact.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DataLayout, hasErrorCode, MjolnirError, type Scheduler, TestClock } from '@mjolnir/lib';
import { MemoryLogger, runPaper } from '@mjolnir/lib/live';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectContiguous,
  liveConfig,
  ORIGIN,
  openLoop,
  readJournal,
  tempRoot,
  testSim,
} from './support/live.js';

const BAR = 300_000;
let clock: TestClock;
let sim: SimServer;

beforeAll(async () => {
  clock = new TestClock(ORIGIN + 40 * 86_400_000 + 123_456);
  sim = await testSim(clock);
});
afterAll(async () => {
  await sim.close();
});

/** Moves time in uneven steps (polls landing mid-bar), polling after each, for `bars` bars. */
async function run(loop: { iterate(): Promise<unknown> }, bars: number, stepMs = 173_000): Promise<void> {
  const end = clock.now() + bars * BAR;
  while (clock.now() < end) {
    clock.advance(stepMs);
    await loop.iterate();
  }
}

describe('the paper loop', () => {
  it('warms up, then decides every closed bar exactly once as time passes; never the one in progress', async () => {
    const root = tempRoot();
    const { loop, log, close } = await openLoop(liveConfig(sim.port), root, clock);
    await loop.iterate();
    const first = readJournal(root);
    expect(first).toHaveLength(1); // the newest closed bar; the 60 before it were warmup
    expect(first[0]!.ts_ms).toBe(Math.floor(clock.now() / BAR) * BAR);
    await run(loop, 80);
    const rows = readJournal(root);
    expect(rows.length).toBeGreaterThanOrEqual(79);
    expectContiguous(rows);
    expect(rows.at(-1)!.ts_ms).toBeLessThanOrEqual(clock.now());
    expect(rows.some((r) => r.action === 'enter_long' || r.action === 'enter_short')).toBe(true);
    const messages = new Set(log.entries.map((e) => e.message));
    for (const milestone of ['Fetched market data', 'Persisted bars', 'Decision recorded', 'Warmed up'])
      expect(messages).toContain(milestone);
    await close();
  });

  it('a bounded session decides exactly maxDecisions slots, even in one catch-up, then only holds the stream', async () => {
    const root = tempRoot();
    const { loop, close } = await openLoop(liveConfig(sim.port), root, clock, { maxDecisions: 7 });
    await loop.iterate();
    clock.advance(30 * BAR); // thirty bars close at once: only six more are decided
    await loop.iterate();
    expect(readJournal(root)).toHaveLength(7);
    expect(loop.done).toBe(true);
    await run(loop, 5);
    expect(readJournal(root)).toHaveLength(7);
    expectContiguous(readJournal(root));
    await close();
  });

  it('catches up after downtime, page by page, and records bars the exchange lacks as bar_missing', async () => {
    const root = tempRoot();
    const { loop, close } = await openLoop(liveConfig(sim.port), root, clock);
    await run(loop, 5);
    const before = readJournal(root).length;
    sim.faults.configure({ missing: 0.05, seed: 3 });
    clock.advance(1_300 * BAR); // more than one page (1000 bars) of downtime
    await loop.iterate();
    sim.faults.configure({ missing: 0 });
    const rows = readJournal(root);
    expect(rows.length - before).toBeGreaterThanOrEqual(1_299);
    expectContiguous(rows);
    const missing = rows.slice(before).filter((r) => r.reason === 'bar_missing');
    expect(missing.length).toBeGreaterThan(20);
    expect(missing.every((r) => r.input_hash === '' && Number.isNaN(r.close))).toBe(true);
    await close();
  });

  it('FORCE_PERSIST_FAIL records persist_failed for the bars it hits; the bar after is cadence_failed', async () => {
    const root = tempRoot();
    const { loop, close, settings } = await openLoop(liveConfig(sim.port), root, clock);
    await run(loop, 3);
    settings.forcePersistFail = true;
    await run(loop, 3);
    settings.forcePersistFail = false;
    await run(loop, 3);
    const rows = readJournal(root);
    expectContiguous(rows);
    const failed = rows.filter((r) => r.reason === 'persist_failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    const after = rows.find((r) => r.ts_ms === failed.at(-1)!.ts_ms + BAR);
    expect(after?.reason).toBe('cadence_failed');
    await close();
  });

  it('FORCE_FETCH_FAIL records fetch_failed once bars are overdue by the grace period, then catches up', async () => {
    const root = tempRoot();
    const { loop, log, close, settings } = await openLoop(liveConfig(sim.port), root, clock);
    await run(loop, 3);
    const last = readJournal(root).at(-1)!.ts_ms;
    settings.forceFetchFail = true;
    clock.advance(BAR);
    await loop.iterate();
    expect(readJournal(root).at(-1)!.ts_ms).toBe(last); // within grace: nothing recorded yet
    await run(loop, 5);
    settings.forceFetchFail = false;
    await run(loop, 3);
    const rows = readJournal(root);
    expectContiguous(rows);
    expect(rows.filter((r) => r.reason === 'fetch_failed').length).toBeGreaterThanOrEqual(3);
    expect(rows.at(-1)!.reason).not.toBe('fetch_failed');
    // One error when it started, one line when it recovered; the polls in between counted (debug),
    // with a reminder at most once a minute of the loop's clock (here three minutes pass each poll).
    const failing = log.entries.filter((e) => /^Fetch (failed|still failing)/.test(e.message));
    expect(failing.length).toBeGreaterThanOrEqual(8);
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(1);
    expect(log.entries.filter((e) => e.message === 'Fetch recovered')).toMatchObject([
      { level: 'info', fields: { failures: failing.length } },
    ]);
    await close();
  });

  it('the kill switch refuses new entries; with "flatten" it closes positions', async () => {
    const root = tempRoot();
    const layout = new DataLayout(root);
    const { loop, close } = await openLoop(liveConfig(sim.port), root, clock);
    await loop.iterate();
    rmSync(layout.killSwitch(), { force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(layout.stateDir(), { recursive: true });
    writeFileSync(layout.killSwitch(), 'halt\n');
    const start = readJournal(root).length;
    await run(loop, 150, 3 * BAR + 7_000);
    let rows = readJournal(root).slice(start);
    expect(rows.some((r) => r.reason === 'kill_switch')).toBe(true);
    expect(rows.some((r) => r.action === 'enter_long' || r.action === 'enter_short')).toBe(false);
    rmSync(layout.killSwitch());
    // Trade again until a position is open, then ask for a flatten.
    for (let i = 0; i < 400 && readJournal(root).at(-1)!.position === 'flat'; i++) {
      clock.advance(BAR);
      await loop.iterate();
    }
    rows = readJournal(root);
    expect(rows.at(-1)!.position).not.toBe('flat');
    writeFileSync(layout.killSwitch(), 'flatten\n');
    await run(loop, 60, 3 * BAR + 7_000);
    rmSync(layout.killSwitch());
    const after = readJournal(root).slice(rows.length);
    expect(after[0]!.reason).toBe('kill_switch_flatten');
    expect(after[0]!.position).toBe('flat');
    expect(after.some((r) => r.action.startsWith('enter'))).toBe(false);
    await close();
  });
});

describe('restarts', () => {
  it('a crash anywhere: journal without snapshot, trades lost, torn tail; every restart continues as if uninterrupted', async () => {
    const control = tempRoot();
    const crashed = tempRoot();
    const layout = new DataLayout(crashed);
    const a = await openLoop(liveConfig(sim.port), control, clock);
    let b = await openLoop(liveConfig(sim.port), crashed, clock);
    const snapshot = layout.engineState('test', 'BTC/USDT', '5m');
    const trades = layout.trades('test', 'BTC/USDT', '5m');
    const decisions = layout.decisions('test', 'BTC/USDT', '5m');
    let recovered = 0;
    let replayed = 0;
    for (let round = 0; round < 9; round++) {
      await a.loop.iterate();
      await b.loop.iterate();
      const kept = `${snapshot}.kept`;
      copyFileSync(snapshot, kept);
      for (let i = 0; i < 7; i++) {
        clock.advance(BAR);
        await a.loop.iterate();
        await b.loop.iterate();
      }
      await b.close();
      const kind = round % 3;
      if (kind === 0) copyFileSync(kept, snapshot); // crashed after the journal, before the snapshot
      if (kind === 1) {
        copyFileSync(kept, snapshot); // ... and before the trades: drop what the last 10 bars closed
        const text = readFileSync(trades, 'utf8').split('\n');
        const lastTs = Number(readFileSync(kept, 'utf8').match(/"journalLastTs":(\d+)/)![1]);
        writeFileSync(
          trades,
          text.filter((line, i) => i === 0 || line === '' || Number(line.split(',')[4]) <= lastTs).join('\n'),
        );
      }
      if (kind === 2) appendFileSync(decisions, 'sim,BTC/USDT,5m,17094'); // torn mid-append
      b = await openLoop(liveConfig(sim.port), crashed, clock);
      const resumed = b.log.entries.find((e) => e.message === 'Resumed from the journal')!.fields as {
        replayed: number;
        recovered_trades: number;
      };
      replayed += resumed.replayed;
      recovered += resumed.recovered_trades;
      if (kind === 2)
        expect(b.log.entries.some((e) => e.message === 'Cut a torn last line left by a crash')).toBe(true);
    }
    await a.close();
    await b.close();
    expect(replayed).toBeGreaterThan(20);
    expect(recovered).toBeGreaterThanOrEqual(0);
    const ours = readJournal(crashed);
    expectContiguous(ours);
    expect(ours).toEqual(readJournal(control).map((row) => ({ ...row })));
    expect(readFileSync(trades, 'utf8')).toBe(
      readFileSync(new DataLayout(control).trades('test', 'BTC/USDT', '5m'), 'utf8'),
    );
  });

  it('without a snapshot, the state is rebuilt from the LIVE manifest warmup and the whole journal', async () => {
    const root = tempRoot();
    const first = await openLoop(liveConfig(sim.port), root, clock);
    await run(first.loop, 40);
    await first.close();
    rmSync(new DataLayout(root).engineState('test', 'BTC/USDT', '5m'));
    const again = await openLoop(liveConfig(sim.port), root, clock);
    const resumed = again.log.entries.find((e) => e.message === 'Resumed from the journal')!.fields as {
      replayed: number;
    };
    expect(resumed.replayed).toBe(readJournal(root).length);
    await run(again.loop, 5);
    expectContiguous(readJournal(root));
    await again.close();
  });

  it('a corrupt row in the middle is an error naming file and line, and nothing is rewritten', async () => {
    const root = tempRoot();
    const first = await openLoop(liveConfig(sim.port), root, clock);
    await run(first.loop, 10);
    await first.close();
    const path = new DataLayout(root).decisions('test', 'BTC/USDT', '5m');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[4] = lines[4]!.replace(/,(hold|enter_long|enter_short|exit_long|exit_short|skip),/, ',hodl,');
    writeFileSync(path, lines.join('\n'));
    const digest = () => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = digest();
    const failure = await openLoop(liveConfig(sim.port), root, clock).catch((e: unknown) => e);
    expect(hasErrorCode(failure, 'data_invalid')).toBe(true);
    expect((failure as Error).message).toContain(`${path}:5: action "hodl" is not one of`);
    expect(digest()).toBe(before);
  });

  it('refuses to resume when the stored bars do not reproduce the journal (line named)', async () => {
    const root = tempRoot();
    const layout = new DataLayout(root);
    const first = await openLoop(liveConfig(sim.port), root, clock);
    await run(first.loop, 5);
    const snapshot = layout.engineState('test', 'BTC/USDT', '5m');
    copyFileSync(snapshot, `${snapshot}.kept`);
    await run(first.loop, 5);
    const row = readJournal(root).at(-2)!;
    await first.lake.write({ exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' }, [
      { ts: row.ts_ms, open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 },
    ]);
    await first.close();
    copyFileSync(`${snapshot}.kept`, snapshot);
    const failure = await openLoop(liveConfig(sim.port), root, clock).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MjolnirError);
    expect((failure as Error).message).toMatch(
      new RegExp(`decisions\\.csv:${row.line}: replaying the lake does not reproduce`),
    );
  });

  it('one process per stream: a second loop on the same stream is refused', async () => {
    const root = tempRoot();
    const first = await openLoop(liveConfig(sim.port), root, clock);
    const second = await openLoop(liveConfig(sim.port), root, clock).catch((e: unknown) => e);
    expect(hasErrorCode(second, 'lock_busy')).toBe(true);
    await first.close();
  });
});

/** The test clock as the paper loop's scheduler: polls jump through simulated time; it stops at `end`. */
function pacedUntil(end: number, controller: AbortController): Scheduler {
  return {
    elapsed: () => clock.elapsed(),
    async sleep(ms, signal) {
      await clock.sleep(ms, signal);
      if (clock.now() >= end) controller.abort();
    },
  };
}

describe('runPaper driven in-process', () => {
  it('is paced by the injected scheduler: three simulated hours, one poll a minute, every bar decided once', async () => {
    const root = tempRoot();
    const config = liveConfig(sim.port, 'paper: { history_bars: 60, poll_ms: 60000 }');
    const controller = new AbortController();
    const began = clock.now();
    const end = began + 36 * BAR;
    const log = new MemoryLogger();
    const outcome = await runPaper({
      config,
      dataRoot: root,
      clock,
      log,
      env: {},
      signal: controller.signal,
      scheduler: pacedUntil(end, controller),
    });
    expect(outcome).toEqual({ failed: [], iterations: 180 });
    const rows = readJournal(root);
    expectContiguous(rows);
    // The first poll decides the newest closed bar, the last poll (a minute before the end) its own.
    expect(rows[0]!.ts_ms).toBe(Math.floor(began / BAR) * BAR);
    expect(rows.at(-1)!.ts_ms).toBe(Math.floor((end - 60_000) / BAR) * BAR);
    expect(log.entries.at(-1)!.message).toBe('Shutdown complete');
    // A heartbeat a minute of the scheduler's time: every poll but the first.
    const beats = log.entries.filter((e) => e.message === 'Heartbeat');
    expect(beats).toHaveLength(179);
    expect(beats.at(-1)!.fields).toMatchObject({
      polls: 1,
      last_decided: new Date(rows.at(-1)!.ts_ms).toISOString(),
    });
  });
});

describe('several streams', () => {
  it("isolates streams: one stream's failure stops it alone; shutdown is graceful", async () => {
    const root = tempRoot();
    const config = liveConfig(sim.port, 'paper: { history_bars: 60, poll_ms: 60000 }');
    const twoStreams = { ...config, symbols: ['BTC/USDT', 'DOGE/USDT'] };
    const controller = new AbortController();
    const log = new MemoryLogger();
    const outcome = await runPaper({
      config: twoStreams,
      dataRoot: root,
      clock,
      log,
      env: {},
      signal: controller.signal,
      scheduler: pacedUntil(clock.now() + 10 * BAR, controller),
    });
    expect(outcome.failed.map((f) => [f.stream, (f.error as MjolnirError).code])).toEqual([
      ['sim DOGE/USDT 5m', 'bad_symbol'],
    ]);
    expect(readJournal(root).length).toBeGreaterThan(5);
    expect(log.entries.at(-1)!.message).toBe('Shutdown complete');
    await expect(
      runPaper({ config, dataRoot: root, clock, log, env: { DRY_RUN: '0' }, signal: controller.signal }),
    ).rejects.toThrow(/only paper-trades/);
  });
});
