import { closeSync, existsSync, fdatasync, mkdirSync, openSync, rmSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MjolnirError } from '../core/index.js';
import { ByteSink } from '../journal/index.js';
import { commitFile, temporaryPath } from '../store/index.js';

const BLOCK = 1 << 20;
/** Bytes written between two background data syncs. */
const SYNC_EVERY = 32 << 20;

/**
 * An output file written in large blocks under a temporary name and committed (fsync, rename) only
 * when complete, so a reader never sees half a run. An existing file is never overwritten. A large
 * file is synced in the background as it is written (a data sync every 32 MiB on the I/O threads),
 * so the commit's fsync finds little left to write.
 */
export class OutputFile {
  private readonly fd: number;
  private readonly temporary: string;
  /** Where the next bytes go: every write names its position, so writes may complete in any order. */
  private position = 0;
  private unsynced = 0;
  /** The background sync in flight (it never rejects: its error is kept for the commit). */
  private syncing: Promise<void> | null = null;
  /** Writes handed to the I/O threads and not yet done, and who waits for them. */
  private writing = 0;
  private written: (() => void) | null = null;
  /** The first failure of a background sync or write, reported by the commit. */
  private failure: Error | null = null;
  /** Where lines are written; flushed to the file once a block has gathered. */
  readonly sink = new ByteSink(BLOCK + (BLOCK >> 2));

  /** Background data syncs started. */
  backgroundSyncs = 0;

  private constructor(
    readonly path: string,
    private readonly syncEvery: number,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.temporary = temporaryPath(path);
    this.fd = openSync(this.temporary, 'wx');
  }

  /** A new file at `path` (refused if it exists); `syncEvery` bytes between background syncs. */
  static create(path: string, syncEvery = SYNC_EVERY): OutputFile {
    if (existsSync(path))
      throw new MjolnirError(
        'input_invalid',
        `${path} exists already: runs are never overwritten (choose another RUNID)`,
      );
    return new OutputFile(path, syncEvery);
  }

  /** Creates every file or none (those already created are dropped when one cannot be). */
  static async createAll(paths: readonly string[]): Promise<OutputFile[]> {
    const files: OutputFile[] = [];
    try {
      for (const path of paths) files.push(OutputFile.create(path));
      return files;
    } catch (error) {
      for (const file of files) await file.abort();
      throw error;
    }
  }

  /** Appends text (ASCII: journals hold nothing else). */
  write(text: string): void {
    this.sink.text(text);
    this.flushIfFull();
  }

  /** Writes the gathered bytes out once a block (1 MiB) has gathered: call after writing into `sink`. */
  flushIfFull(): void {
    if (this.sink.length >= BLOCK) this.flush();
  }

  /**
   * Appends bytes formatted elsewhere, after whatever the buffer holds, written by the I/O threads
   * while this thread goes on: `bytes` is the file's until `written` is called with them (after the
   * write, or its failure), or until the commit without it.
   */
  handOver(bytes: Uint8Array, written?: (bytes: Uint8Array) => void): void {
    this.flush();
    const at = this.position;
    this.position += bytes.length;
    this.writing++;
    const done = (error: Error | null, count = 0): void => {
      if (error === null && count < bytes.length) {
        // A short write (rare): the rest goes after it, at its own position.
        write(this.fd, bytes, count, bytes.length - count, at + count, (next, more) =>
          done(next, count + (next === null ? more : 0)),
        );
        return;
      }
      this.failure ??= error;
      written?.(bytes);
      if (--this.writing === 0) this.written?.();
      this.wrote(bytes.length);
    };
    write(this.fd, bytes, 0, bytes.length, at, (error, count) => done(error, count));
  }

  private flush(): void {
    this.writeAt(this.sink.buffer, this.sink.length);
    this.sink.clear();
  }

  /** Writes `length` bytes of `bytes` at the end, on this thread. */
  private writeAt(bytes: Uint8Array, length: number): void {
    let written = 0;
    while (written < length)
      written += writeSync(this.fd, bytes, written, length - written, this.position + written);
    this.position += length;
    this.wrote(length);
  }

  /** Waits for the writes handed over and the background sync (neither may outlive the descriptor). */
  private async settle(): Promise<void> {
    if (this.writing > 0)
      await new Promise<void>((resolve) => {
        this.written = resolve;
      });
    this.written = null;
    await this.syncing;
  }

  /** Starts a background data sync once enough has been written since the last one. */
  private wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < this.syncEvery || this.syncing !== null) return;
    this.unsynced = 0;
    this.backgroundSyncs++;
    this.syncing = new Promise((resolve) =>
      fdatasync(this.fd, (error) => {
        this.failure ??= error;
        this.syncing = null;
        resolve();
      }),
    );
  }

  /** Writes what is left, then fsyncs and renames the file into place (after any background sync). */
  async commit(): Promise<void> {
    this.flush();
    await this.settle();
    if (this.failure !== null) {
      const failure = this.failure;
      await this.abort();
      throw new MjolnirError('storage_failed', `cannot write ${this.path}: ${failure.message}`, {
        cause: failure,
      });
    }
    closeSync(this.fd);
    commitFile(this.temporary, this.path);
  }

  /** Drops the temporary file (after the writes and sync in flight, which must not outlive the descriptor). */
  async abort(): Promise<void> {
    await this.settle();
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temporary, { force: true });
  }
}
