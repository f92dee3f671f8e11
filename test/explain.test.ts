/**
 * explain: a LIVE journal written by the paper loop (in-process, against the simulator; with
 * persist_failed and bar_missing slots) and a backtest journal; rows of each kind explained from the
 * lake and the run's manifest, reproduced by the engine, the numbers the rule compared shown;
 * `mjolnir explain` prints the same; a bar changed in the lake afterwards is reported (last: it
 * changes the lake the other tests read).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { barAt, createEngine, engineSpecOf, readDecisions, streamsOf, TestClock } from '@mjolnir/lib';
import { runBacktest } from '@mjolnir/lib/backtest';
import { explain } from '@mjolnir/lib/research';
import type { SimServer } from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  liveConfig,
  liveConfigText,
  ORIGIN,
  openLoop,
  readJournal,
  tempRoot,
  testSim,
} from './support/live.js';
import { CLI } from './support/processes.js';

const BAR = 300_000;
const KEY = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' } as const;
let clock: TestClock;
let sim: SimServer;
const root = tempRoot();

beforeAll(async () => {
  clock = new TestClock(ORIGIN + 40 * 86_400_000 + 61_000);
  sim = await testSim(clock, ['BTC/USDT']);
  const { loop, close, settings } = await openLoop(liveConfig(sim.port), root, clock);
  const run = async (bars: number) => {
    for (const end = clock.now() + bars * BAR; clock.now() < end; ) {
      clock.advance(173_000);
      await loop.iterate();
    }
  };
  await run(150);
  settings.forcePersistFail = true;
  await run(3);
  settings.forcePersistFail = false;
  sim.faults.configure({ missing: 0.03, seed: 9 });
  await run(150);
  sim.faults.configure({ missing: 0 });
  await close();
}, 120_000);
afterAll(async () => {
  await sim.close();
});

describe('explain', () => {
  it('rebuilds entries, exits, stops and skips of a LIVE journal; the numbers are what the engine compared', async () => {
    const config = liveConfig(sim.port);
    const rows = readJournal(root);
    const lake = await Lake.open(root);
    try {
      const pick = (test: (r: (typeof rows)[number]) => boolean) => rows.find((r, i) => i > 5 && test(r))!;
      const kinds = {
        entry: pick((r) => r.reason === 'entry_signal'),
        exit: pick((r) => r.reason === 'exit_signal'),
        stop: pick((r) => r.reason === 'stop_hit'),
        persist: pick((r) => r.reason === 'persist_failed'),
        missing: pick((r) => r.reason === 'bar_missing'),
      };
      for (const [kind, row] of Object.entries(kinds)) {
        expect(row, kind).toBeDefined();
        const e = await explain(lake, { config, ts: row.ts_ms });
        expect(e.reproduced, `${kind} at ${row.ts_ms}: ${JSON.stringify(e.replayed)}`).toBe(true);
        expect(e.row.line).toBe(row.line);
      }
      const entry = await explain(lake, { config, ts: kinds.entry.ts_ms });
      // The run's manifest alone is enough for a built-in strategy: the same explanation.
      expect(await explain(lake, { tag: 'test', ts: kinds.entry.ts_ms })).toEqual(entry);
      expect(entry.inputHash.same).toBe(true);
      expect(entry.rules).toMatchObject({ valid: true });
      const side = entry.row.position === 'long' ? 1 : -1;
      expect(entry.rules!.entry).toBe(side);
      // The stop the row carries is the close less (or plus) the strategy's stop distance at that bar.
      expect(entry.row.stop).toBeCloseTo(entry.bar!.close - side * entry.rules!.stopDistance, 6);
      expect(Object.keys(entry.features)).toEqual(expect.arrayContaining(['ema_fast', 'ema_slow', 'atr']));
      expect(entry.why).toContain(`the entry rule gave ${side}`);
      const stop = await explain(lake, { config, ts: kinds.stop.ts_ms });
      expect(stop.why).toContain(`the bar reached the stop`);
      // A long is stopped when the bar's low reaches its stop, a short when the high does.
      const reached =
        stop.before.side === 1 ? stop.bar!.low <= stop.before.stop : stop.bar!.high >= stop.before.stop;
      expect(reached).toBe(true);
      expect(stop.before.side).not.toBe(0);
      const exit = await explain(lake, { config, ts: kinds.exit.ts_ms });
      expect(exit.before.side === 1 ? exit.rules!.exitLong : exit.rules!.exitShort).toBe(true);
      const skipped = await explain(lake, { config, ts: kinds.persist.ts_ms });
      expect(skipped.why).toContain('no bar was evaluated (persist_failed)');
      expect(skipped.rules).toBeNull();
    } finally {
      lake.close();
    }
  });

  it('mjolnir explain prints the same, and names a ts with no decision', () => {
    const rows = readJournal(root);
    const exit = rows.find((r, i) => i > 5 && r.reason === 'exit_signal')!;
    const config = `${root}/explain.yaml`;
    writeFileSync(config, liveConfigText(sim.port));
    const ok = spawnSync(
      process.execPath,
      [CLI, 'explain', '-c', config, '--ts', String(exit.ts_ms), '--data-root', root],
      {
        encoding: 'utf8',
      },
    );
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('reproduced  yes');
    expect(ok.stdout).toContain(`${exit.action} / exit_signal`);
    const none = spawnSync(
      process.execPath,
      [CLI, 'explain', '-c', config, '--ts', '1', '--data-root', root],
      {
        encoding: 'utf8',
      },
    );
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no decision at 1');
  });

  it('explains a backtest row from its manifest, and reports a bar changed in the lake', async () => {
    const config = liveConfig(sim.port);
    const rows = readJournal(root);
    const lake = await Lake.open(root);
    try {
      const start = rows[100]!.ts_ms;
      const result = await runBacktest(lake, {
        spec: engineSpecOf(config),
        stream: streamsOf(config)[0]!,
        runId: 'why',
        start,
        end: rows.at(-1)!.ts_ms,
        codeVersion: 'test',
        now: 0,
      });
      const bt = readDecisions(result.decisionsPath).rows();
      const target = bt.find((r) => r.action.startsWith('enter_') || r.action.startsWith('exit_'))!;
      const e = await explain(lake, { config, ts: target.ts_ms, tag: result.tag });
      expect(e.reproduced).toBe(true);
      expect(e.inputHash.same).toBe(true);

      // The bar of a LIVE entry changed afterwards: the hash tells it, and the replay no longer agrees.
      const entry = rows.find((r, i) => i > 20 && r.reason === 'entry_signal')!;
      const bar = barAt(await lake.read(KEY, entry.ts_ms, entry.ts_ms), 0);
      const close = Math.round((entry.position === 'long' ? 0.97 : 1.03) * bar.open * 100) / 100;
      await lake.write(KEY, [
        { ...bar, close, low: Math.min(bar.low, close), high: Math.max(bar.high, close) },
      ]);
      const changed = await explain(lake, { config, ts: entry.ts_ms });
      expect(changed.inputHash.same).toBe(false);
      expect(changed.inputHash.row).toBe(entry.input_hash);
      expect(changed.reproduced).toBe(false);
      expect(createEngine(engineSpecOf(config)).fingerprint).toBe(entry.spec);
    } finally {
      lake.close();
    }
  });
});
