/**
 * The paper loop on storage that fails as real storage does: a disk that fills up (a small tmpfs) at
 * every point of the persist path, and a raw lake remounted read-only. The loop records what it could
 * not store and goes on; what it cannot go on from stops it with the path named; after the space
 * returns a restart resumes with nothing left behind (no empty lock, no temporary file).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasErrorCode, type MjolnirError, TestClock } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { parseOwner } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectContiguous, liveConfig, ORIGIN, openLoop, readJournal, testSim } from './support/live.js';
import { type SmallDisk, smallDisk, under } from './support/small-disk.js';

const BAR = 300_000;
let clock: TestClock;
let sim: SimServer;
let disk: SmallDisk;

beforeAll(async () => {
  clock = new TestClock(ORIGIN + 40 * 86_400_000 + 123_456);
  sim = await testSim(clock, ['BTC/USDT']);
  disk = await smallDisk(4096, { 'ro/raw': 1024 });
});
afterAll(async () => {
  await sim.close();
  await disk?.close();
});

/** Every file under `root`, relative. */
function files(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(join(root, f)).isFile(),
  );
}

/** No temporary file anywhere, and every lock left is a whole one. */
function expectNothingLeftBehind(root: string): void {
  const all = files(root);
  expect(all.filter((f) => f.includes('.tmp-'))).toEqual([]);
  for (const lock of all.filter((f) => f.endsWith('.lock')))
    expect(parseOwner(readFileSync(join(root, lock), 'utf8'))).not.toBeNull();
}

/**
 * Polls once a bar for `bars` bars (`downtime` bars pass before the last poll, which catches them up),
 * returning the storage error that stopped the loop, if one did.
 */
async function poll(
  loop: { iterate(): Promise<unknown> },
  bars: number,
  downtime = 1,
): Promise<MjolnirError | null> {
  for (let i = 0; i < bars; i++) {
    clock.advance(i === bars - 1 ? downtime * BAR : BAR);
    try {
      await loop.iterate();
    } catch (error) {
      if (hasErrorCode(error, 'storage_failed')) return error;
      throw error;
    }
  }
  return null;
}

describe('storage faults in the paper loop', () => {
  it('a disk that fills up at any point of the persist path: skips recorded or a clean stop; a restart resumes', async () => {
    const config = liveConfig(sim.port, 'paper: { history_bars: 60, fetch_grace_bars: 2 }');
    const seen = { skipped: 0, stopped: 0 };
    // Each budget (in pages) lets a different number of writes through before the disk refuses one:
    // the lock, the parquet partition, its rename, the snapshot; a catch-up after downtime then needs
    // more journal than the last page holds.
    for (const budget of [0, 1, 2, 3, 5].map((pages) => pages * 4096)) {
      const root = under(disk, `full-${budget}`);
      const first = await openLoop(config, root, clock);
      expect(await poll(first.loop, 3)).toBeNull();
      disk.fill(budget);
      let stopped: MjolnirError | null;
      try {
        stopped = await poll(first.loop, 4, 40);
        await first.close();
      } finally {
        disk.free();
      }
      if (stopped !== null) {
        seen.stopped++;
        // Stopped only where it cannot go on, with the file named and the cause in words.
        expect(stopped.message).toMatch(/^cannot [a-z ]+ \/.+: no space left on device \(ENOSPC\)$/);
      }
      const during = readJournal(root);
      if (during.some((r) => r.reason === 'persist_failed')) seen.skipped++;
      expectContiguous(during);
      expectNothingLeftBehind(root);
      const restarted = await openLoop(config, root, clock);
      expect(await poll(restarted.loop, 4)).toBeNull();
      await restarted.close();
      const after = readJournal(root);
      expectContiguous(after);
      // Decisions resume once the space returns: the last bars stored and decided normally.
      expect(after.slice(-3).map((r) => r.reason)).not.toContain('persist_failed');
      expect(after.at(-1)!.ts_ms).toBe(Math.floor(clock.now() / BAR) * BAR);
      expectNothingLeftBehind(root);
    }
    // Both outcomes were exercised: bars skipped with the loop going on, and a clean stop.
    expect(seen.skipped).toBeGreaterThan(0);
    expect(seen.stopped).toBeGreaterThan(0);
  });

  it('a read-only raw lake: persist_failed rows, the loop goes on, and stores again once writable', async () => {
    const root = join(disk.root, 'ro');
    const { loop, log, close } = await openLoop(liveConfig(sim.port), root, clock);
    expect(await poll(loop, 3)).toBeNull();
    await disk.readOnly(true, join(root, 'raw'));
    expect(await poll(loop, 4)).toBeNull();
    await disk.readOnly(false, join(root, 'raw'));
    expect(await poll(loop, 3)).toBeNull();
    await close();
    const rows = readJournal(root);
    expectContiguous(rows);
    expect(rows.filter((r) => r.reason === 'persist_failed').length).toBeGreaterThanOrEqual(3);
    expect(rows.at(-1)!.reason).not.toBe('persist_failed');
    // Reported once when it started failing and once when it recovered, not at every poll.
    const failed = log.entries.filter((e) => e.message === 'Persist failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.fields).toMatchObject({
      code: 'storage_failed',
      error: expect.stringMatching(/read-only file system \(EROFS\)$/),
    });
    expect(log.entries.filter((e) => e.message === 'Persist recovered')).toHaveLength(1);
    expect(existsSync(join(root, 'raw', 'sim', 'BTC_USDT', '5m', '.lock'))).toBe(false);
  });
});
