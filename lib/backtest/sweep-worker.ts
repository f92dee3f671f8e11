/** A sweep worker thread: evaluates the parameter sets it is sent over bars shared with the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SweepAnswer, SweepJob, SweepWorkerData } from './sweep.js';
import { evaluateSets, sharedSeries } from './sweep.js';

const data = workerData as SweepWorkerData;
const series = sharedSeries(data.bars, data.length);

parentPort!.on('message', (job: SweepJob) => {
  const [row] = evaluateSets(data.config, [job], series, data.window);
  const answer: SweepAnswer = { index: row!.index, outcome: row!.outcome };
  parentPort!.postMessage(answer);
});
