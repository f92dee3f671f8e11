/** A formatting worker thread: turns batches of decision rows into decisions.csv bytes, run after run. */
import { parentPort } from 'node:worker_threads';
import { Batch, type BatchData, ByteSink, DECISIONS, encodeBatch } from '../journal/index.js';
import type { Formatted, FormatWorkerData } from './decision-output.js';

/**
 * What a worker is sent: the run it formats for (before its first batch), then batches, each with a
 * buffer to format into.
 */
export type FormatMessage =
  | { readonly run: FormatWorkerData }
  | { readonly batch: BatchData; readonly into: Uint8Array<ArrayBuffer> };

let run: FormatWorkerData | null = null;
const sink = new ByteSink(0);

parentPort!.on('message', (message: FormatMessage) => {
  if ('run' in message) {
    run = message.run;
    return;
  }
  const batch = message.batch;
  sink.adopt(message.into);
  encodeBatch(Batch.of(DECISIONS, run!.constants, batch), sink);
  // The buffer goes back with the lines in it (the one sent, or a larger one if it had to grow).
  const bytes = sink.buffer;
  const answer: Formatted = { batch, bytes, length: sink.length };
  parentPort!.postMessage(answer, [bytes.buffer, batch.floats.buffer, batch.codes.buffer]);
});
