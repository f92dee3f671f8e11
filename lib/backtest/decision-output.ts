import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { MjolnirError } from '../core/index.js';
import type { StepOutput } from '../engine/index.js';
import { NUMBER_SLOTS } from '../engine/index.js';
import {
  type BatchData,
  ByteSink,
  type DecisionConstants,
  type DecisionSink,
  encodeBatch,
  StepBatch,
} from '../journal/index.js';
import type { Bar, MutableBar } from '../market/index.js';
import { returnFormatWorker, takeFormatWorkers } from './format-pool.js';
import type { FormatMessage } from './format-worker.js';
import type { OutputFile } from './output-file.js';

/**
 * Where a backtest's decision rows go, in order: formatted here, or on worker threads. A DecisionSink
 * (rows through `writeStep`, the mapping every host uses), plus the hot path's common row.
 */
export interface DecisionOutput extends DecisionSink {
  /** Where the numbers of a `fromCells` row go, in StepLog.numbersInto's order (NUMBER_*). */
  readonly cells: Float64Array;
  /** The row of a bar's own slot without feature text, its numbers in `cells` (the backtest's common row). */
  fromCells(action: number, reason: number, side: number, bar: MutableBar): void;
  /** Writes out what is ready and waits while too much is in flight: call between replay pieces. */
  drain(): Promise<void>;
  /** Every row added is in the file (not yet committed). */
  finish(): Promise<void>;
  /** Stops any worker threads. */
  close(): Promise<void>;
}

/** Rows an inline output gathers before formatting them into the file's buffer. */
const INLINE_ROWS = 1 << 12;

/** Formats rows into the file's buffer on this thread, a batch at a time. */
export class InlineOutput implements DecisionOutput {
  readonly cells = new Float64Array(NUMBER_SLOTS);
  private readonly batch: StepBatch;

  constructor(
    private readonly file: OutputFile,
    constants: DecisionConstants,
  ) {
    this.batch = new StepBatch(constants, INLINE_ROWS);
  }

  decided(out: StepOutput, bar: Bar | null, features: string): void {
    this.batch.decided(out, bar, features);
    if (this.batch.full) this.write();
  }

  fromCells(action: number, reason: number, side: number, bar: MutableBar): void {
    this.batch.fromCells(this.cells, action, reason, side, bar);
    if (this.batch.full) this.write();
  }

  missing(ts: number, out: StepOutput): void {
    this.batch.missing(ts, out);
    if (this.batch.full) this.write();
  }

  private write(): void {
    encodeBatch(this.batch, this.file.sink);
    this.batch.clear();
    this.file.flushIfFull();
  }

  /** Lets the event loop turn (the file's background syncs finish meanwhile). */
  async drain(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async finish(): Promise<void> {
    if (this.batch.count > 0) this.write();
  }

  async close(): Promise<void> {}
}

/** What a formatting worker is started with: the cells every row of the run shares. */
export interface FormatWorkerData {
  readonly constants: DecisionConstants;
}

/**
 * A formatted batch: its first `length` bytes, in the buffer it was sent with (or a grown one), and
 * its columns, for reuse.
 */
export interface Formatted {
  readonly batch: BatchData;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly length: number;
}

const BATCH_ROWS = 1 << 15;
/** Batches a worker may have been sent and not yet answered. */
const QUEUED = 4;
/** Bytes a batch's buffer starts with per row (a line is about 160; the buffer grows if need be). */
const ROW_BYTES = 192;

/** Worker threads a backtest formats on: the other cores, at most eight. */
export function formatThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

/**
 * Gathers rows in columns and has them formatted in batches, while the engine goes on: by worker
 * threads, and by this thread whenever every worker already has its fill (so no core sits idle
 * waiting, two cores included). The bytes are written in order as they come. Feature text is not
 * carried: a run that explains its decisions formats inline.
 */
export class ThreadedOutput implements DecisionOutput {
  private readonly workers: Worker[];
  /** Each worker's listeners for this run, removed when the workers are given back. */
  private readonly listeners: {
    message: (formatted: Formatted) => void;
    error: (error: unknown) => void;
    exit: (code: number) => void;
  }[];
  /** Batches each worker has been sent and not yet returned. */
  private readonly pending: Int32Array;
  /** Where this thread formats a batch: into a buffer from `spare`, handed to the file. */
  private readonly sink = new ByteSink(0);
  /**
   * Buffers for formatted batches, back from the file once written: batches are formatted into them
   * here and on the workers, so no fresh memory is faulted in (and zeroed) per batch.
   */
  private readonly spare: Uint8Array<ArrayBuffer>[] = [];
  private readonly release = (bytes: Uint8Array): void => {
    this.spare.push(new Uint8Array(bytes.buffer as ArrayBuffer));
  };
  readonly cells = new Float64Array(NUMBER_SLOTS);
  private columns: StepBatch;
  private readonly recycled: BatchData[] = [];
  private readonly ready = new Map<number, Uint8Array>();
  private sent = 0;
  private written = 0;
  private failure: unknown = null;
  private wake: (() => void) | null = null;
  /** Batches formatted by the workers and by this thread. */
  readonly batches = { workers: 0, here: 0 };

  private file: OutputFile | null = null;

  /** Starts the workers; rows are taken once `into` has named the file. */
  constructor(
    private readonly data: FormatWorkerData,
    threads: number,
    private readonly batchRows = BATCH_ROWS,
  ) {
    this.columns = new StepBatch(data.constants, batchRows);
    this.pending = new Int32Array(threads);
    this.workers = takeFormatWorkers(threads);
    this.listeners = this.workers.map((worker, index) => {
      const listeners = {
        message: ({ batch, bytes, length }: Formatted) => {
          this.pending[index] = this.pending[index]! - 1;
          this.recycled.push(batch);
          this.received(batch.seq, bytes.subarray(0, length));
        },
        error: (error: unknown) => this.fail(error),
        exit: (code: number) => {
          if (this.failure === null)
            this.fail(new MjolnirError('invariant_violated', `a formatting worker exited with code ${code}`));
        },
      };
      worker.on('message', listeners.message);
      worker.on('error', listeners.error);
      worker.on('exit', listeners.exit);
      const start: FormatMessage = { run: data };
      worker.postMessage(start);
      return listeners;
    });
  }

  /** This output, writing into `file`. */
  into(file: OutputFile): this {
    this.file = file;
    return this;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.wake?.();
  }

  /** A buffer to format a batch into. */
  private buffer(): Uint8Array<ArrayBuffer> {
    return this.spare.pop() ?? new Uint8Array(this.batchRows * ROW_BYTES);
  }

  /**
   * Hands batch `seq` to the file (written by the I/O threads, its buffer back in `spare` after)
   * when its turn has come, and any that were waiting for it; keeps it otherwise.
   */
  private received(seq: number, bytes: Uint8Array): void {
    try {
      const file = this.file!;
      if (seq === this.written) {
        file.handOver(bytes, this.release);
        this.written++;
      } else this.ready.set(seq, bytes);
      for (let next = this.ready.get(this.written); next !== undefined; next = this.ready.get(this.written)) {
        this.ready.delete(this.written++);
        file.handOver(next, this.release);
      }
    } catch (error) {
      this.fail(error);
    }
    this.wake?.();
  }

  decided(out: StepOutput, bar: Bar | null): void {
    this.columns.decided(out, bar, '');
    if (this.columns.full) this.dispatch();
  }

  fromCells(action: number, reason: number, side: number, bar: MutableBar): void {
    this.columns.fromCells(this.cells, action, reason, side, bar);
    if (this.columns.full) this.dispatch();
  }

  missing(ts: number, out: StepOutput): void {
    this.columns.missing(ts, out);
    if (this.columns.full) this.dispatch();
  }

  /**
   * To the least busy worker while one has room (QUEUED batches sent and not yet answered), else here.
   * The answers are only seen when this thread turns its event loop, between replay pieces, so a
   * worker's count runs behind: a short queue made this thread format batches while its worker idled.
   */
  private dispatch(): void {
    const columns = this.columns;
    const batch = columns.data(this.sent++);
    let worker = 0;
    for (let i = 1; i < this.pending.length; i++) if (this.pending[i]! < this.pending[worker]!) worker = i;
    if (this.pending[worker]! < QUEUED) {
      this.pending[worker] = this.pending[worker]! + 1;
      this.batches.workers++;
      const message: FormatMessage = { batch, into: this.buffer() };
      this.workers[worker]!.postMessage(message, [
        batch.floats.buffer,
        batch.codes.buffer,
        message.into.buffer,
      ]);
    } else {
      this.sink.adopt(this.buffer());
      encodeBatch(columns, this.sink);
      this.batches.here++;
      this.recycled.push(batch);
      this.received(batch.seq, this.sink.buffer.subarray(0, this.sink.length));
    }
    this.columns = new StepBatch(this.data.constants, this.batchRows, this.recycled.pop());
  }

  /** Waits until at most `inFlight` batches are unwritten (or a worker failed). */
  private async until(inFlight: number): Promise<void> {
    while (this.failure === null && this.sent - this.written > inFlight)
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    this.wake = null;
    if (this.failure !== null) throw this.failure;
  }

  /** Lets the workers' answers in (they arrive as events), then waits while too many are out. */
  async drain(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.until((QUEUED + 2) * this.workers.length);
  }

  async finish(): Promise<void> {
    if (this.columns.count > 0) this.dispatch();
    await this.until(0);
  }

  /** Gives the workers back for the next run; one with a batch still out (a failed run) is stopped. */
  async close(): Promise<void> {
    const stopping: Promise<number>[] = [];
    this.workers.forEach((worker, index) => {
      const listeners = this.listeners[index]!;
      worker.off('message', listeners.message);
      worker.off('error', listeners.error);
      worker.off('exit', listeners.exit);
      if (this.pending[index] === 0 && this.failure === null) returnFormatWorker(worker);
      else stopping.push(worker.terminate());
    });
    await Promise.all(stopping);
  }
}
