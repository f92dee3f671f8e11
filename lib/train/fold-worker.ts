import { parentPort } from 'node:worker_threads';
import { MjolnirError } from '../core/index.js';
import { type FoldJob, runFoldJob } from './fold-work.js';

/** A training thread: one tfjs instance, jobs in order, each epoch reported as it ends. */
parentPort!.on('message', (job: FoldJob) => {
  runFoldJob(job, (log) => parentPort!.postMessage({ kind: 'epoch', label: job.label, log })).then(
    (fit) =>
      parentPort!.postMessage({ kind: 'done', fit }, [
        fit.files.json.buffer,
        fit.files.weights.buffer,
      ] as ArrayBuffer[]),
    (error: unknown) =>
      parentPort!.postMessage({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
        code: error instanceof MjolnirError ? error.code : undefined,
      }),
  );
});
