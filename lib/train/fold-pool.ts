import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, MjolnirError, workerScript } from '../core/index.js';
import { type FoldFit, type FoldJob, runFoldJob } from './fold-work.js';
import type { EpochLog } from './network.js';

type Message =
  | { kind: 'epoch'; label: string; log: EpochLog }
  | { kind: 'done'; fit: FoldFit }
  | { kind: 'error'; message: string; stack?: string; code?: ErrorCode };

/**
 * A worker's failure as this thread's error, as it would have been thrown here: a MjolnirError keeps
 * its code (and so its category and exit code), anything else stays a bug (exit 3); both keep the
 * worker's stack.
 */
function failureOf(label: string, failure: { message: string; stack?: string; code?: ErrorCode }): Error {
  const message = `training ${label}: ${failure.message}`;
  const error = failure.code === undefined ? new Error(message) : new MjolnirError(failure.code, message);
  if (failure.stack !== undefined)
    error.stack = `${error.name}: ${message}\n${failure.stack.split('\n').slice(1).join('\n')}`;
  return error;
}

function runOn(
  worker: Worker,
  job: FoldJob,
  onEpoch: (label: string, log: EpochLog) => void,
): Promise<FoldFit> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message) => {
      if (message.kind === 'epoch') return onEpoch(message.label, message.log);
      worker.off('message', onMessage);
      worker.off('error', reject);
      if (message.kind === 'done') resolve(message.fit);
      else reject(failureOf(job.label, message));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(job);
  });
}

/**
 * Trains networks on `threads` worker threads (all cores by default), one tfjs each, results in job
 * order. Each job is seeded on its own, so the weights do not depend on the thread count; one thread
 * trains here, without a worker.
 */
export async function trainAll(
  jobs: readonly FoldJob[],
  threads = availableParallelism(),
  onEpoch: (label: string, log: EpochLog) => void = () => {},
): Promise<FoldFit[]> {
  const count = Math.max(1, Math.min(threads, jobs.length));
  if (count === 1) {
    const fits: FoldFit[] = [];
    for (const job of jobs) fits.push(await runFoldJob(job, (log) => onEpoch(job.label, log)));
    return fits;
  }
  const workers = Array.from(
    { length: count },
    () => new Worker(workerScript('fold-worker', import.meta.url)),
  );
  const fits = new Array<FoldFit>(jobs.length);
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < jobs.length) {
          const i = next++;
          fits[i] = await runOn(worker, jobs[i]!, onEpoch);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return fits;
}
