/** A formatting worker thread: turns batches of decision columns into decisions.csv bytes. */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteSink } from '../journal/byte-sink.js';
import { DecisionLines } from '../journal/decision-lines.js';
import { type ColumnsData, writeColumns } from './decision-columns.js';
import type { Formatted, FormatWorkerData } from './decision-output.js';

const data = workerData as FormatWorkerData;
const lines = new DecisionLines(data.stream);
const sink = new ByteSink(1 << 22);

parentPort!.on('message', (batch: ColumnsData) => {
  sink.clear();
  writeColumns(lines, sink, batch, data.strategy, data.spec);
  const bytes = sink.buffer.slice(0, sink.length);
  const answer: Formatted = { batch, bytes };
  parentPort!.postMessage(answer, [bytes.buffer, batch.numbers.buffer, batch.codes.buffer]);
});
