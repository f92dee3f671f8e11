import { closeSync, existsSync, fdatasync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MjolnirError } from '../core/errors.js';
import { ByteSink } from '../journal/byte-sink.js';
import { commitFile, temporaryPath } from '../store/atomic.js';

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
  private unsynced = 0;
  /** The background sync in flight (it never rejects: its error is kept for the commit). */
  private syncing: Promise<void> | null = null;
  private syncError: Error | null = null;
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

  /** Appends bytes formatted elsewhere, after whatever the buffer holds. */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    this.wrote(bytes.length);
  }

  private flush(): void {
    let written = 0;
    while (written < this.sink.length)
      written += writeSync(this.fd, this.sink.buffer, written, this.sink.length - written);
    this.wrote(this.sink.length);
    this.sink.clear();
  }

  /** Starts a background data sync once enough has been written since the last one. */
  private wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < this.syncEvery || this.syncing !== null) return;
    this.unsynced = 0;
    this.backgroundSyncs++;
    this.syncing = new Promise((resolve) =>
      fdatasync(this.fd, (error) => {
        this.syncError ??= error;
        this.syncing = null;
        resolve();
      }),
    );
  }

  /** Writes what is left, then fsyncs and renames the file into place (after any background sync). */
  async commit(): Promise<void> {
    this.flush();
    await this.syncing;
    if (this.syncError !== null) {
      await this.abort();
      throw new MjolnirError('storage_failed', `cannot sync ${this.path}: ${this.syncError.message}`, {
        cause: this.syncError,
      });
    }
    closeSync(this.fd);
    commitFile(this.temporary, this.path);
  }

  /** Drops the temporary file (after any background sync, which must not outlive the descriptor). */
  async abort(): Promise<void> {
    await this.syncing;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temporary, { force: true });
  }
}
