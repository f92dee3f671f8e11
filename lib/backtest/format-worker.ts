/** A formatting worker thread: turns batches of decision columns into decisions.csv bytes, run after run. */
import { parentPort } from 'node:worker_threads';
import { ByteSink } from '../journal/byte-sink.js';
import { DecisionLines } from '../journal/decision-lines.js';
import { type ColumnsData, writeColumns } from './decision-columns.js';
import type { Formatted, FormatWorkerData } from './decision-output.js';

/** What a worker is sent: the run it formats for (before its first batch), then batches. */
export type FormatMessage = { readonly run: FormatWorkerData } | { readonly batch: ColumnsData };

let run: FormatWorkerData | null = null;
let lines: DecisionLines | null = null;
const sink = new ByteSink(1 << 22);

parentPort!.on('message', (message: FormatMessage) => {
  if ('run' in message) {
    run = message.run;
    lines = new DecisionLines(run.stream);
    return;
  }
  const batch = message.batch;
  sink.clear();
  writeColumns(lines!, sink, batch, run!.strategy, run!.spec);
  const bytes = sink.buffer.slice(0, sink.length);
  const answer: Formatted = { batch, bytes };
  parentPort!.postMessage(answer, [bytes.buffer, batch.numbers.buffer, batch.codes.buffer]);
});
