import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MjolnirError } from '../core/errors.js';

/** A temporary name beside `target` that no other process or call can collide with. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomUUID()}`);
}

/** Flushes a file's (or directory's) data to stable storage. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Moves a fully written temporary file over `target` atomically and durably (fsync file, rename, fsync dir). */
export function commitFile(temporary: string, target: string): void {
  try {
    fsyncPath(temporary);
    renameSync(temporary, target);
    fsyncPath(dirname(target));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new MjolnirError('storage_failed', `cannot commit ${target}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Writes `text` to `target` atomically: readers see the old or the new content, never a part. */
export function writeFileAtomic(target: string, text: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const temporary = temporaryPath(target);
  writeFileSync(temporary, text);
  commitFile(temporary, target);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An advisory lock: a file created exclusively holding the owner's pid. A lock whose owner died
 * (SIGKILL) is taken over. Waits up to `timeoutMs`, then fails with a retryable `lock_busy`.
 */
export async function withFileLock<T>(
  lockPath: string,
  body: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(lockPath, 'utf8').trim() || Number.NaN);
      } catch (readError) {
        // Released between our attempt and this read: try again at once.
        if ((readError as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw readError;
      }
      if (Number.isInteger(owner) && !processAlive(owner)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (performance.now() > deadline) {
        throw new MjolnirError('lock_busy', `${lockPath} is held by process ${owner}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lockPath, { force: true });
  }
}
