import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MjolnirError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Identifies this process incarnation: in a container a restarted process often gets the same pid. */
const INCARNATION = randomUUID();

/**
 * Holds a lock file for the life of the process, so two paper loops never append to one journal. The
 * file holds the owner's pid and incarnation. Held: by this very process (another loop here), or by a
 * live process with another pid. Stale, and taken over: a dead pid, or our own pid with another
 * incarnation (a container restart reuses pids; two live processes never share one).
 */
export class ProcessLock {
  private constructor(readonly path: string) {}

  static acquire(path: string): ProcessLock {
    mkdirSync(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${process.pid} ${INCARNATION}\n`);
        closeSync(fd);
        return new ProcessLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        let text = '';
        try {
          text = readFileSync(path, 'utf8').trim();
        } catch {
          continue;
        }
        const [pidText, incarnation] = text.split(/\s+/);
        const owner = Number(pidText);
        const ours = owner === process.pid;
        if ((ours && incarnation === INCARNATION) || (!ours && Number.isInteger(owner) && alive(owner))) {
          throw new MjolnirError('lock_busy', `another loop (pid ${owner}) runs this stream: ${path}`);
        }
        rmSync(path, { force: true });
      }
    }
    throw new MjolnirError('lock_busy', `cannot take ${path}`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
