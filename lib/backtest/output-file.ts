import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MjolnirError } from '../core/errors.js';
import { ByteSink } from '../journal/byte-sink.js';
import { commitFile, temporaryPath } from '../store/atomic.js';

const BLOCK = 1 << 20;

/**
 * An output file written in large blocks under a temporary name and committed (fsync, rename) only
 * when complete, so a reader never sees half a run. An existing file is never overwritten.
 */
export class OutputFile {
  private readonly fd: number;
  private readonly temporary: string;
  /** Where lines are written; flushed to the file once a block has gathered. */
  readonly sink = new ByteSink(BLOCK + (BLOCK >> 2));

  private constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.temporary = temporaryPath(path);
    this.fd = openSync(this.temporary, 'wx');
  }

  static create(path: string): OutputFile {
    if (existsSync(path))
      throw new MjolnirError(
        'input_invalid',
        `${path} exists already: runs are never overwritten (choose another RUNID)`,
      );
    return new OutputFile(path);
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
  }

  private flush(): void {
    let written = 0;
    while (written < this.sink.length)
      written += writeSync(this.fd, this.sink.buffer, written, this.sink.length - written);
    this.sink.clear();
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    commitFile(this.temporary, this.path);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temporary, { force: true });
  }
}
