/** A sweep worker thread: evaluates the parameter sets it is sent over bars shared with the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SweepAnswer, SweepJob, SweepWorkerData } from './sweep.js';
import { sharedSeries } from './sweep.js';
import { evaluateParams } from './sweep-run.js';

const data = workerData as SweepWorkerData;
const series = sharedSeries(data.bars, data.length);

parentPort!.on('message', (job: SweepJob) => {
  const answer: SweepAnswer = {
    index: job.index,
    outcome: evaluateParams(data.config, job.params, series, data.window),
  };
  parentPort!.postMessage(answer);
});
