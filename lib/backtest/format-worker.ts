/** A formatting worker thread: turns batches of decision columns into decisions.csv bytes, run after run. */
import { parentPort } from 'node:worker_threads';
import { ByteSink, DecisionLines, strategyCells } from '../journal/index.js';
import { type ColumnsData, writeColumns } from './decision-columns.js';
import type { Formatted, FormatWorkerData } from './decision-output.js';

/**
 * What a worker is sent: the run it formats for (before its first batch), then batches, each with a
 * buffer to format into.
 */
export type FormatMessage =
  | { readonly run: FormatWorkerData }
  | { readonly batch: ColumnsData; readonly into: Uint8Array<ArrayBuffer> };

let run: FormatWorkerData | null = null;
let lines: DecisionLines | null = null;
const sink = new ByteSink(0);

parentPort!.on('message', (message: FormatMessage) => {
  if ('run' in message) {
    run = message.run;
    lines = new DecisionLines(run.stream);
    return;
  }
  const batch = message.batch;
  sink.adopt(message.into);
  writeColumns(lines!, sink, batch, strategyCells(run!.strategy), run!.spec);
  // The buffer goes back with the lines in it (the one sent, or a larger one if it had to grow).
  const bytes = sink.buffer;
  const answer: Formatted = { batch, bytes, length: sink.length };
  parentPort!.postMessage(answer, [bytes.buffer, batch.numbers.buffer, batch.codes.buffer]);
});
