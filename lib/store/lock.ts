import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MjolnirError, storageFailed, systemErrorCode } from '../core/index.js';
import { type Clock, systemClock } from '../time/index.js';
import { removeQuietly, temporaryPath } from './atomic.js';
import { type Owner, ownerAlive, ownerText, parseOwner, SELF, sameMachine } from './owner.js';

/** How a lock is taken. */
export interface LockOptions {
  /** How long to wait for a lock held by a live process before failing with `lock_busy` (0: at once). */
  readonly waitMs?: number;
  /**
   * A lock of another machine (container) is stale once not refreshed for this long; holders refresh
   * theirs every third of it. Default 30 s.
   */
  readonly leaseMs?: number;
  /** Told when a stale lock is taken over, with why it was judged stale. */
  readonly onTakeover?: (takeover: LockTakeover) => void;
  readonly clock?: Clock;
}

/** A stale lock that was taken over. */
export interface LockTakeover {
  readonly path: string;
  /** What the lock file held ('' when empty). */
  readonly previous: string;
  readonly why: string;
}

const DEFAULT_LEASE_MS = 30_000;
/** A lock file that does not parse may be one being created (by an earlier build); this long, then stale. */
const UNPARSABLE_GRACE_MS = 2_000;
/** Filesystems without hard links refuse `link` with one of these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

type Inspection =
  | { readonly state: 'gone' }
  | { readonly state: 'held'; readonly owner: Owner | null; readonly text: string }
  | { readonly state: 'stale'; readonly text: string; readonly why: string };

function ageMs(path: string, clock: Clock): number {
  return clock.now() - statSync(path).mtimeMs;
}

/** Judges a lock file found in place: held only when provably by a live owner. */
function inspect(path: string, leaseMs: number, clock: Clock): Inspection {
  let text: string;
  let age: number;
  try {
    text = readFileSync(path, 'utf8');
    age = ageMs(path, clock);
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return { state: 'gone' };
    throw storageFailed('read the lock', path, error);
  }
  const owner = parseOwner(text);
  if (owner === null) {
    return age > UNPARSABLE_GRACE_MS
      ? { state: 'stale', text, why: text.trim() === '' ? 'empty lock file' : 'unreadable lock file' }
      : { state: 'held', owner: null, text };
  }
  if (sameMachine(owner)) {
    if (ownerAlive(owner)) return { state: 'held', owner, text };
    const why =
      owner.pid === SELF.pid
        ? `pid ${owner.pid} is this process, but another incarnation (a restarted container)`
        : `process ${owner.pid} is gone${owner.started === '' ? '' : ' (or is another process now)'}`;
    return { state: 'stale', text, why };
  }
  return age > leaseMs
    ? { state: 'stale', text, why: `held on another machine, not refreshed for ${Math.round(age / 1000)} s` }
    : { state: 'held', owner, text };
}

/**
 * Creates the lock file with its content in one step: written under a temporary name, then hard
 * linked into place (link fails if the lock exists). A lock file is never seen empty or torn, even
 * when the disk fills up or the process dies while creating it. True when created.
 */
function create(path: string): boolean {
  const text = ownerText(SELF);
  const temporary = temporaryPath(path);
  try {
    writeFileSync(temporary, text);
    try {
      linkSync(temporary, path);
      return true;
    } catch (error) {
      const code = systemErrorCode(error);
      if (code === 'EEXIST') return false;
      if (code === null || !NO_HARD_LINKS.has(code)) throw error;
    }
    return createInPlace(path, text);
  } finally {
    removeQuietly(temporary);
  }
}

/** Where there are no hard links: create exclusively, then write (an empty lock is judged by age). */
function createInPlace(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if (systemErrorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    removeQuietly(path);
    throw error;
  }
  closeSync(fd);
  return true;
}

/**
 * Removes a stale lock, but only the one judged: it is renamed aside first and its content compared
 * (two processes taking over the same stale lock must not remove each other's fresh one).
 */
function takeOver(path: string, stale: string): boolean {
  const aside = temporaryPath(path);
  try {
    renameSync(path, aside);
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return true;
    throw error;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // Unreadable: treat as the stale one.
    moved = stale;
  }
  if (moved !== stale) {
    // Someone else's fresh lock: put it back.
    try {
      linkSync(aside, path);
    } catch {
      // A third process took the place meanwhile; nothing more can be done without a lock server.
    }
  }
  removeQuietly(aside);
  return moved === stale;
}

/**
 * An advisory lock file, one design for the whole project (the paper loop's stream lock and the
 * lake's write lock). It holds its owner (machine, pid, process start time, incarnation). A lock that
 * cannot be proven held by a live owner is taken over and reported: a dead pid, our own pid in another
 * incarnation (a container restart reuses pids), an empty or unreadable file, or another machine's
 * lock left unrefreshed past its lease.
 */
export class FileLock {
  private refresher: NodeJS.Timeout | null;

  private constructor(
    readonly path: string,
    private readonly clock: Clock,
    leaseMs: number,
  ) {
    this.refresher = setInterval(() => this.refresh(), Math.max(1, Math.floor(leaseMs / 3)));
    this.refresher.unref();
  }

  /** Takes the lock, waiting up to `waitMs` while a live owner holds it. */
  static async acquire(path: string, options: LockOptions = {}): Promise<FileLock> {
    const deadline = performance.now() + (options.waitMs ?? 10_000);
    for (;;) {
      const result = FileLock.tryAcquire(path, options);
      if (result instanceof FileLock) return result;
      if (performance.now() >= deadline) throw busy(path, result);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Takes the lock now, or returns who holds it (null: a lock file being created). */
  static tryAcquire(path: string, options: LockOptions = {}): FileLock | { readonly owner: Owner | null } {
    const clock = options.clock ?? systemClock;
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    try {
      mkdirSync(dirname(path), { recursive: true });
      for (let attempt = 0; attempt < 8; attempt++) {
        if (create(path)) return new FileLock(path, clock, leaseMs);
        const found = inspect(path, leaseMs, clock);
        if (found.state === 'held') return { owner: found.owner };
        if (found.state === 'stale' && takeOver(path, found.text))
          options.onTakeover?.({ path, previous: found.text.trim(), why: found.why });
      }
    } catch (error) {
      throw storageFailed('take the lock', path, error);
    }
    return { owner: null };
  }

  /** Keeps the lock fresh for other machines (its modification time is its lease). */
  private refresh(): void {
    try {
      const now = this.clock.now() / 1000;
      utimesSync(this.path, now, now);
    } catch {
      // Gone or unwritable: the next write of the holder fails visibly; nothing to do here.
    }
  }

  /** Releases the lock if it is still ours (a lock taken over from us is not removed). */
  release(): void {
    if (this.refresher !== null) clearInterval(this.refresher);
    this.refresher = null;
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      // Gone or unreadable: nothing of ours to remove (another process took the stream over).
      return;
    }
    if (text === ownerText(SELF)) removeQuietly(this.path);
  }
}

function busy(path: string, result: { readonly owner: Owner | null }): MjolnirError {
  const who = result.owner === null ? 'a process creating it' : `process ${result.owner.pid}`;
  return new MjolnirError('lock_busy', `${path} is held by ${who}`);
}

/** Runs `body` holding the lock at `lockPath` (see FileLock), released however `body` ends. */
export async function withFileLock<T>(
  lockPath: string,
  body: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lock = await FileLock.acquire(lockPath, options);
  try {
    return await body();
  } finally {
    lock.release();
  }
}
