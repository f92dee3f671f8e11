import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncPath, isSystemError, storageFailed } from '../core/index.js';
import { type Clock, systemClock } from '../time/index.js';
import { type Owner, ownerAlive, ownerTag, parseOwnerTag, SELF, sameMachine } from './owner.js';

/** `.<name>.tmp-<owner tag>-<random>`; earlier builds wrote `.<name>.tmp-<pid>-<uuid>`. */
const TEMPORARY = /^\..+\.tmp-(?:([0-9a-f]{8}\.\d+\.\d+\.[0-9a-f]{8})-[0-9a-f]{8}|(\d+)-[0-9a-f-]{36})$/;

/** Another machine's temporary file is left alone for this long (it may still be being written). */
const FOREIGN_TEMPORARY_MS = 24 * 3_600_000;

/** Directories this process has cleaned of dead writers' temporary files. */
const cleaned = new Set<string>();

/**
 * A temporary name beside `target` that no other process or call can collide with, naming its writer
 * (so a dead writer's leftovers can be told from a live one's). The first time this process writes
 * into a directory, the temporary files of dead writers there are removed.
 */
export function temporaryPath(target: string): string {
  const dir = dirname(target);
  if (!cleaned.has(dir)) removeDeadTemporaries(dir);
  return join(dir, `.${basename(target)}.tmp-${ownerTag(SELF)}-${randomUUID().slice(0, 8)}`);
}

/** The writer a temporary file name names, or null when the name is not a temporary file's. */
function writerOf(name: string): Owner | null | 'legacy-dead' {
  const match = TEMPORARY.exec(name);
  if (match === null) return null;
  if (match[1] !== undefined) return parseOwnerTag(match[1]);
  // An earlier build's name: a pid of this machine, never this process's (it writes the new form).
  const pid = Number(match[2]);
  const legacy: Owner = { machine: SELF.machine, pid, started: '', incarnation: 'legacy' };
  return pid === SELF.pid || !ownerAlive(legacy) ? 'legacy-dead' : legacy;
}

/**
 * Removes the temporary files in `dir` whose writer is dead: a process of this machine that is gone
 * (a crash or a full disk mid-write leaves them), or another machine's older than a day. Returns the
 * names removed; a directory that does not exist has none.
 */
export function removeDeadTemporaries(dir: string, clock: Clock = systemClock): string[] {
  cleaned.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (isSystemError(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const writer = writerOf(name);
    if (writer === null) continue;
    const path = join(dir, name);
    if (writer !== 'legacy-dead') {
      if (sameMachine(writer) ? ownerAlive(writer) : !olderThan(path, FOREIGN_TEMPORARY_MS, clock)) continue;
    }
    try {
      rmSync(path, { force: true, recursive: true });
      removed.push(name);
    } catch {
      // Not ours to fix here (permissions): the writer of the next file will fail visibly.
    }
  }
  return removed;
}

function olderThan(path: string, ms: number, clock: Clock): boolean {
  try {
    return clock.now() - statSync(path).mtimeMs > ms;
  } catch (error) {
    // Gone meanwhile (its writer finished): nothing to remove.
    if (isSystemError(error, 'ENOENT')) return false;
    throw error;
  }
}

/**
 * Moves a fully written temporary file over `target` atomically and durably (fsync file, rename,
 * fsync dir). On failure the temporary file is removed and a `storage_failed` error names `target`.
 */
export function commitFile(temporary: string, target: string): void {
  try {
    fsyncPath(temporary);
    renameSync(temporary, target);
    fsyncPath(dirname(target));
  } catch (error) {
    removeQuietly(temporary);
    throw storageFailed('write', target, error);
  }
}

/** Removes a file if it can: for cleanup on a path that is already failing. */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // The error being reported matters more than this one.
  }
}

/**
 * Writes `text` to `target` atomically: readers see the old or the new content, never a part. A
 * failure (a full disk) leaves the old content and no temporary file, and names `target`.
 */
export function writeFileAtomic(target: string, text: string): void {
  let temporary: string | null = null;
  try {
    mkdirSync(dirname(target), { recursive: true });
    temporary = temporaryPath(target);
    writeFileSync(temporary, text);
  } catch (error) {
    if (temporary !== null) removeQuietly(temporary);
    throw storageFailed('write', target, error);
  }
  commitFile(temporary, target);
}
