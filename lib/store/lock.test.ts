import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../core/index.js';
import { removeDeadTemporaries, temporaryPath } from './atomic.js';
import { FileLock, type LockTakeover, withFileLock } from './lock.js';
import { ownerText, parseOwner, processStartTime, SELF } from './owner.js';

const dir = () => mkdtempSync(join(tmpdir(), 'mjolnir-lock-'));

/** A pid that was a process a moment ago and is gone now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** Backdates a file's modification time by `ms`. */
function age(path: string, ms: number): void {
  const then = (Date.now() - ms) / 1000;
  utimesSync(path, then, then);
}

function take(path: string) {
  const takeovers: LockTakeover[] = [];
  const lock = FileLock.tryAcquire(path, { onTakeover: (t) => takeovers.push(t) });
  return { lock, takeovers };
}

describe('FileLock', () => {
  it('holds its owner from the first byte, is not taken twice, and is released only by its owner', () => {
    const path = join(dir(), 'a.lock');
    const { lock } = take(path);
    expect(lock).toBeInstanceOf(FileLock);
    expect(readFileSync(path, 'utf8')).toBe(ownerText(SELF));
    expect(parseOwner(readFileSync(path, 'utf8'))).toEqual(SELF);
    // Held by this very process: a second taker is told who holds it.
    const again = FileLock.tryAcquire(path);
    expect(again).toEqual({ owner: SELF });
    (lock as FileLock).release();
    expect(existsSync(path)).toBe(false);
    // No temporary file is left beside it.
    expect(readdirSync(join(path, '..'))).toEqual([]);
  });

  it('takes over an empty lock (a full disk between creating and writing it), and says why', () => {
    const path = join(dir(), 'empty.lock');
    writeFileSync(path, '');
    age(path, 10_000);
    const { lock, takeovers } = take(path);
    expect(lock).toBeInstanceOf(FileLock);
    expect(takeovers).toEqual([{ path, previous: '', why: 'empty lock file' }]);
  });

  it('waits a moment for an unreadable lock that may still be being written, then takes it over', () => {
    const path = join(dir(), 'garbage.lock');
    writeFileSync(path, 'x\u0000y');
    expect(take(path).lock).toEqual({ owner: null });
    age(path, 10_000);
    expect(take(path).takeovers.map((t) => t.why)).toEqual(['unreadable lock file']);
  });

  it("takes over a lock holding this process's own pid in another incarnation (a restarted container)", () => {
    const path = join(dir(), 'restart.lock');
    writeFileSync(path, ownerText({ ...SELF, incarnation: 'f'.repeat(32) }));
    const { lock, takeovers } = take(path);
    expect(lock).toBeInstanceOf(FileLock);
    expect(takeovers[0]!.why).toMatch(/is this process, but another incarnation/);
    // The same for the format of earlier builds ("<pid> <incarnation>", "<pid>").
    (lock as FileLock).release();
    writeFileSync(path, `${process.pid} 0123-abcd\n`);
    expect(take(path).lock).toBeInstanceOf(FileLock);
  });

  it('takes over the lock of a dead process, and of a live pid that is another process now', () => {
    const path = join(dir(), 'dead.lock');
    writeFileSync(path, `${deadPid()}`);
    expect(take(path).takeovers[0]!.why).toMatch(/^process \d+ is gone/);
    const sleeper = spawn('sleep', ['30']);
    try {
      const started = processStartTime(sleeper.pid!)!;
      const other = { ...SELF, pid: sleeper.pid!, incarnation: 'a'.repeat(32) };
      writeFileSync(path, ownerText({ ...other, started }));
      // A live process with the recorded start time: held, never taken.
      expect(take(path).lock).toEqual({ owner: { ...other, started } });
      writeFileSync(path, ownerText({ ...other, started: String(Number(started) - 7) }));
      expect(take(path).takeovers[0]!.why).toMatch(/or is another process now/);
    } finally {
      sleeper.kill();
    }
  });

  it("respects another machine's lock while its lease is refreshed, and takes it over after", () => {
    const path = join(dir(), 'remote.lock');
    writeFileSync(path, ownerText({ ...SELF, machine: '0badf00d', pid: 1 }));
    expect(take(path).lock).toEqual({ owner: expect.objectContaining({ machine: '0badf00d' }) });
    age(path, 45_000);
    expect(take(path).takeovers[0]!.why).toMatch(/another machine, not refreshed for 45 s/);
  });

  it('releases only its own lock: one taken over from it since is left to its new owner', () => {
    const path = join(dir(), 'kept.lock');
    const { lock } = take(path);
    const theirs = ownerText({ ...SELF, incarnation: 'b'.repeat(32) });
    writeFileSync(path, theirs);
    (lock as FileLock).release();
    expect(readFileSync(path, 'utf8')).toBe(theirs);
  });

  it('waits for a held lock and then fails retryably, naming the holder', async () => {
    const path = join(dir(), 'busy.lock');
    const held = (await FileLock.acquire(path)) as FileLock;
    const failure = await FileLock.acquire(path, { waitMs: 50 }).catch((e: unknown) => e);
    expect(hasErrorCode(failure, 'lock_busy')).toBe(true);
    expect((failure as Error).message).toBe(`${path} is held by process ${process.pid}`);
    held.release();
    expect(await withFileLock(path, async () => 7)).toBe(7);
  });

  it('gives mutual exclusion between processes, stale locks of killed holders included', async () => {
    const root = dir();
    const counter = join(root, 'counter');
    writeFileSync(counter, '0');
    const lockModule = fileURLToPath(new URL('../dist/store/lock.js', import.meta.url));
    // Each worker increments the counter 40 times under the lock, by read, pause, write.
    const worker = `
      const { withFileLock } = await import(${JSON.stringify(lockModule)});
      const fs = await import('node:fs');
      for (let i = 0; i < 40; i++) {
        await withFileLock(${JSON.stringify(join(root, 'c.lock'))}, async () => {
          const n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8'));
          await new Promise((r) => setTimeout(r, 1));
          fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1));
        }, { waitMs: 60000 });
      }`;
    const run = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', worker], { stdio: 'inherit' });
        child.once('exit', resolve);
      });
    expect(await Promise.all([run(), run(), run(), run()])).toEqual([0, 0, 0, 0]);
    expect(readFileSync(counter, 'utf8')).toBe('160');
    // A holder killed while holding leaves its lock: the next taker proves it dead and goes on.
    const killed = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `const { FileLock } = await import(${JSON.stringify(lockModule)});
       await FileLock.acquire(${JSON.stringify(join(root, 'c.lock'))}); process.stdout.write('held'); setInterval(() => {}, 1000);`,
    ]);
    await new Promise((resolve) => killed.stdout.once('data', resolve));
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('exit', resolve));
    expect(await run()).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('200');
  });
});

describe('temporary files', () => {
  it('name their writer; those of dead writers are removed, live ones kept', () => {
    const root = dir();
    const ours = temporaryPath(join(root, 'x.parquet'));
    writeFileSync(ours, 'being written');
    const dead = deadPid();
    const crashed = join(root, `.manifest.json.tmp-${SELF.machine}.${dead}.0.deadbeef-01234567`);
    const legacy = join(root, `.manifest.json.tmp-${dead}-0f8fad5b-d9cb-469f-a165-70867728950e`);
    const restarted = join(
      root,
      `.y.tmp-${SELF.machine}.${process.pid}.${SELF.started || '0'}.00000000-89abcdef`,
    );
    for (const file of [crashed, legacy, restarted]) writeFileSync(file, 'left by a crash');
    writeFileSync(join(root, 'notes.tmp'), 'not ours');
    expect(removeDeadTemporaries(root).sort()).toEqual(
      [crashed, legacy, restarted].map((p) => p.slice(root.length + 1)).sort(),
    );
    expect(readdirSync(root).sort()).toEqual([ours.slice(root.length + 1), 'notes.tmp'].sort());
  });
});
