import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isSystemError } from '../core/index.js';

/**
 * Who holds a lock or writes a temporary file: one process incarnation. A pid alone proves nothing
 * in a container: a restarted container gives its new process the same pid (often 1), and another
 * process may have that pid by now. So an owner is its machine (host name and boot), its pid, the
 * pid's start time (clock ticks since boot, Linux `/proc/<pid>/stat`), and a random incarnation.
 */
export interface Owner {
  /** Host name and boot id, hashed: another container or a reboot is another machine. */
  readonly machine: string;
  readonly pid: number;
  /** The process start time as the kernel records it, or '' where there is no /proc. */
  readonly started: string;
  readonly incarnation: string;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    // No /proc (not Linux), or the process is gone.
    if (isSystemError(error, 'ENOENT', 'ESRCH')) return '';
    throw error;
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
export function processStartTime(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === '') return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

const MACHINE = createHash('sha256')
  .update(`${hostname()}\n${readText('/proc/sys/kernel/random/boot_id')}`)
  .digest('hex')
  .slice(0, 8);

/** This process. */
export const SELF: Owner = {
  machine: MACHINE,
  pid: process.pid,
  started: processStartTime(process.pid) ?? '',
  incarnation: randomUUID().replaceAll('-', ''),
};

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `owner` is provably a live process of this machine: this very incarnation, or a process
 * with its pid and start time. Another machine's owner cannot be judged here (see `sameMachine`).
 */
export function ownerAlive(owner: Owner): boolean {
  if (owner.machine !== SELF.machine) return false;
  if (owner.pid === SELF.pid) return owner.incarnation === SELF.incarnation;
  if (owner.started === '' || SELF.started === '') return signalable(owner.pid);
  return processStartTime(owner.pid) === owner.started;
}

/** Whether `owner` ran on this machine (same host name, same boot). */
export function sameMachine(owner: Owner): boolean {
  return owner.machine === SELF.machine;
}

/** The text of a lock file: one line. */
export function ownerText(owner: Owner): string {
  return `${owner.machine} ${owner.pid} ${owner.started || '-'} ${owner.incarnation}\n`;
}

/**
 * Parses a lock file's text. Lock files of earlier builds hold `<pid>` or `<pid> <incarnation>`: they
 * are read as this machine's, with no start time. Null for anything else (empty, torn, garbage).
 */
export function parseOwner(text: string): Owner | null {
  const parts = text.trim().split(/\s+/);
  const [first, second, third, fourth] = parts;
  if (parts.length === 4 && /^[0-9a-f]{8}$/.test(first!) && /^\d+$/.test(second!) && fourth) {
    return {
      machine: first!,
      pid: Number(second),
      started: third === '-' ? '' : third!,
      incarnation: fourth,
    };
  }
  if (parts.length <= 2 && /^\d+$/.test(first ?? '') && Number(first) > 0) {
    return { machine: SELF.machine, pid: Number(first), started: '', incarnation: second ?? 'legacy' };
  }
  return null;
}

/** The owner as part of a file name (temporary files): `<machine>.<pid>.<started>.<incarnation8>`. */
export function ownerTag(owner: Owner): string {
  return `${owner.machine}.${owner.pid}.${owner.started || '0'}.${owner.incarnation.slice(0, 8)}`;
}

/** Parses `ownerTag`'s output (incarnations compare by their first eight digits). */
export function parseOwnerTag(tag: string): Owner | null {
  const match = /^([0-9a-f]{8})\.(\d+)\.(\d+)\.([0-9a-f]{8})$/.exec(tag);
  if (match === null) return null;
  const [, machine, pid, started, incarnation] = match;
  const ours = Number(pid) === SELF.pid && incarnation === SELF.incarnation.slice(0, 8);
  return {
    machine: machine!,
    pid: Number(pid),
    started: started === '0' ? '' : started!,
    incarnation: ours ? SELF.incarnation : incarnation!,
  };
}
