import { Worker } from 'node:worker_threads';
import { workerScript } from '../core/index.js';

/**
 * Formatting workers kept for the life of the process. A worker costs tens of milliseconds to start
 * and formats slowly until its code is optimised, so a process that runs several backtests (a
 * notebook, a benchmark) hands the same warm workers from one run to the next. Idle ones are unref'd:
 * they never keep the process alive.
 */
const idle: Worker[] = [];
let started = 0;

/** Workers started by this process so far, and how many wait idle. */
export function formatWorkerCounts(): { started: number; idle: number } {
  return { started, idle: idle.length };
}

/** `count` workers for one run, started if the pool has too few. */
export function takeFormatWorkers(count: number): Worker[] {
  const taken = idle.splice(0, count);
  while (taken.length < count) {
    const worker = new Worker(workerScript('format-worker', import.meta.url));
    started++;
    // An idle worker that fails or dies leaves the pool (a run in progress hears of it on its own).
    worker.on('error', () => {});
    worker.on('exit', () => {
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
    });
    taken.push(worker);
  }
  for (const worker of taken) worker.ref();
  return taken;
}

/** Gives back a worker with nothing in flight (its run's listeners removed). */
export function returnFormatWorker(worker: Worker): void {
  worker.unref();
  idle.push(worker);
}
