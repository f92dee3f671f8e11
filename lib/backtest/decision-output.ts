import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MjolnirError } from '../core/errors.js';
import { ACTION_CODE, REASON_CODE } from '../engine/decision.js';
import type { StepOutput } from '../engine/output.js';
import type { DecisionLines } from '../journal/decision-lines.js';
import type { JournalStream } from '../journal/decisions.js';
import type { MutableBar } from '../market/bar.js';
import { type ColumnsData, DecisionColumns } from './decision-columns.js';
import type { OutputFile } from './output-file.js';
import { workerScript } from './worker-file.js';

/** Where a backtest's decision rows go, in order: formatted here, or on worker threads. */
export interface DecisionOutput {
  /** The row of a step's own slot; `bar` is the bar decided (null for a host skip). */
  decided(out: StepOutput, equity: number, bar: MutableBar | null, features: string): void;
  /** The row of an empty slot at `ts` before the step's own (skip, bar_missing). */
  missing(ts: number, out: StepOutput): void;
  /** Writes out what is ready and waits while too much is in flight: call between replay pieces. */
  drain(): Promise<void>;
  /** Every row added is in the file (not yet committed). */
  finish(): Promise<void>;
  /** Stops any worker threads. */
  close(): Promise<void>;
}

const NAN = Number.NaN;

/** Formats each row into the file's buffer as it comes. */
export class InlineOutput implements DecisionOutput {
  constructor(
    private readonly file: OutputFile,
    private readonly lines: DecisionLines,
    private readonly strategy: string,
    private readonly spec: string,
  ) {}

  decided(out: StepOutput, equity: number, bar: MutableBar | null, features: string): void {
    const { file, lines } = this;
    lines.write(
      file.sink,
      out.ts,
      out.action,
      out.reason,
      out.side,
      out.close,
      out.stop,
      out.qty,
      out.fillPrice,
      equity,
      bar ?? '',
      features,
      this.strategy,
      this.spec,
    );
    file.flushIfFull();
  }

  missing(ts: number, out: StepOutput): void {
    const { file, lines } = this;
    lines.write(
      file.sink,
      ts,
      ACTION_CODE.skip,
      REASON_CODE.bar_missing,
      out.gapSide,
      NAN,
      out.gapStop,
      out.gapQty,
      NAN,
      NAN,
      '',
      '',
      this.strategy,
      this.spec,
    );
  }

  async drain(): Promise<void> {}
  async finish(): Promise<void> {}
  async close(): Promise<void> {}
}

/** What a formatting worker is started with. */
export interface FormatWorkerData {
  readonly stream: JournalStream;
  readonly strategy: string;
  readonly spec: string;
}

/** A formatted batch, with its columns handed back for reuse. */
export interface Formatted {
  readonly batch: ColumnsData;
  readonly bytes: Uint8Array;
}

const BATCH_ROWS = 1 << 15;

/** Worker threads a backtest formats on: the other cores, at most eight. */
export function formatThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

/**
 * Gathers rows in columns and has worker threads format them, batch by batch, while the engine
 * goes on; the bytes are written in order as they come back. Feature text is not carried: a run
 * that explains its decisions formats inline.
 */
export class ThreadedOutput implements DecisionOutput {
  private readonly workers: Worker[];
  private columns: DecisionColumns;
  private readonly recycled: ColumnsData[] = [];
  private readonly ready = new Map<number, Uint8Array>();
  private sent = 0;
  private written = 0;
  private failure: unknown = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly file: OutputFile,
    data: FormatWorkerData,
    threads: number,
    private readonly batchRows = BATCH_ROWS,
  ) {
    this.columns = new DecisionColumns(batchRows);
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(workerScript('format-worker'), { workerData: data });
      worker.on('message', (formatted: Formatted) => this.received(formatted));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && this.failure === null)
          this.fail(new MjolnirError('invariant_violated', `a formatting worker exited with code ${code}`));
      });
      return worker;
    });
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.wake?.();
  }

  private received({ batch, bytes }: Formatted): void {
    this.ready.set(batch.seq, bytes);
    this.recycled.push(batch);
    try {
      for (let next = this.ready.get(this.written); next !== undefined; next = this.ready.get(this.written)) {
        this.ready.delete(this.written++);
        this.file.writeBytes(next);
      }
    } catch (error) {
      this.fail(error);
    }
    this.wake?.();
  }

  decided(out: StepOutput, equity: number, bar: MutableBar | null): void {
    this.columns.decided(out, equity, bar);
    if (this.columns.full) this.dispatch();
  }

  missing(ts: number, out: StepOutput): void {
    this.columns.missing(ts, out);
    if (this.columns.full) this.dispatch();
  }

  private dispatch(): void {
    const data = this.columns.data(this.sent);
    this.workers[this.sent % this.workers.length]!.postMessage(data, [
      data.numbers.buffer,
      data.codes.buffer,
    ]);
    this.sent++;
    this.columns = new DecisionColumns(this.batchRows, this.recycled.pop());
  }

  /** Waits until at most `inFlight` batches are out (or a worker failed). */
  private async until(inFlight: number): Promise<void> {
    while (this.failure === null && this.sent - this.written > inFlight)
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    this.wake = null;
    if (this.failure !== null) throw this.failure;
  }

  drain(): Promise<void> {
    return this.until(2 * this.workers.length);
  }

  async finish(): Promise<void> {
    if (this.columns.count > 0) this.dispatch();
    await this.until(0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
