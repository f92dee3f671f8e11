import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { systemErrorCode } from '../core/index.js';
import { checkHeader } from './cells.js';
import type { LineSource } from './table.js';

/** What a read of a journal's tail brought. */
export interface TailRead {
  /** Complete new lines (each ending in a newline), the header excluded; '' when nothing is new. */
  readonly text: string;
  /** Byte offset of text[0] in the file. */
  readonly offset: number;
  /**
   * The file was truncated or replaced (another inode) since the last read: `text` starts again
   * from its first row, and what was read before no longer holds.
   */
  readonly reset: boolean;
  /** Bytes left for the next read when `maxBytes` cut this one short (else 0). */
  readonly pending: number;
}

const NEWLINE = 10;
/** Bytes read (and decoded) at a time. */
const PIECE = 8 << 20;
/** The smallest piece a capped read asks for. */
const MIN_PIECE = 64 << 10;

/**
 * Follows a journal (decisions.csv, trades.csv) from a byte offset: each read returns only the
 * complete lines appended since the last one, so its cost follows the new bytes, not the file's
 * size. A torn last line (a writer mid-append, or a crash) waits for its newline. A file truncated
 * or replaced (a new inode) is detected and read again from the start. It never writes. Polling, not
 * `fs.watch`: it works the same on docker bind mounts and network filesystems.
 */
export class JournalTail implements LineSource {
  private offset = 0;
  private identity: string | null = null;
  private headerRead = false;
  private scratch = Buffer.alloc(1 << 16);

  constructor(
    readonly path: string,
    private readonly header: readonly string[],
  ) {}

  /** Whether the file existed at the last read. */
  get exists(): boolean {
    return this.identity !== null;
  }

  /** Bytes taken in so far (the header included). */
  get position(): number {
    return this.offset;
  }

  /**
   * What is new since the last read (nothing, and `exists` false, while the file does not exist).
   * A large backlog (the first read of a long journal) comes in pieces of whole lines, each handed to
   * `take` as it is read, so no single string holds the file; `onReset` is told of a truncation or a
   * replacement before the pieces read again from the start.
   */
  read(
    take?: (text: string, offset: number) => void,
    onReset?: () => void,
    /** Stop after about this many bytes (whole pieces): a long backlog read over several calls. */
    maxBytes = Number.POSITIVE_INFINITY,
  ): TailRead {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if (systemErrorCode(error) !== 'ENOENT') throw error;
      const reset = this.identity !== null;
      this.forget();
      if (reset) onReset?.();
      return { text: '', offset: 0, reset, pending: 0 };
    }
    try {
      return this.readFrom(fd, take, onReset, maxBytes);
    } finally {
      closeSync(fd);
    }
  }

  private forget(): void {
    this.identity = null;
    this.offset = 0;
    this.headerRead = false;
  }

  private readFrom(
    fd: number,
    take: ((text: string, offset: number) => void) | undefined,
    onReset: (() => void) | undefined,
    maxBytes: number,
  ): TailRead {
    const stat = fstatSync(fd);
    const identity = `${stat.dev}:${stat.ino}`;
    let reset = false;
    if (this.identity !== null && (identity !== this.identity || stat.size < this.offset)) {
      this.forget();
      reset = true;
      onReset?.();
    }
    this.identity = identity;
    let texts = '';
    let first = -1;
    const stop = this.offset + maxBytes;
    while (this.offset < stat.size && this.offset < stop) {
      const piece = this.piece(fd, stat.size, Math.min(PIECE, Math.max(MIN_PIECE, stop - this.offset)));
      if (piece === null) break;
      if (first < 0) first = piece.offset;
      if (take !== undefined) take(piece.text, piece.offset);
      else texts += piece.text;
    }
    // Left for later only when the cap stopped the read (a torn last line is not "pending": it waits).
    const pending = this.offset >= stop ? stat.size - this.offset : 0;
    return { text: texts, offset: first < 0 ? this.offset : first, reset, pending };
  }

  /** The next piece of whole lines, up to `want` bytes (more if one line is longer), or null. */
  private piece(fd: number, size: number, want: number): { text: string; offset: number } | null {
    const length = Math.min(size - this.offset, want);
    if (this.scratch.length < length) this.scratch = Buffer.alloc(length);
    const read = readFully(fd, this.scratch, length, this.offset);
    const complete = this.scratch.lastIndexOf(NEWLINE, read - 1) + 1;
    if (complete === 0) {
      // No newline in the piece: a torn last line, or a line longer than the scratch buffer.
      if (this.offset + read >= size) return null;
      this.scratch = Buffer.alloc(this.scratch.length * 2);
      return this.piece(fd, size, Math.max(want * 2, this.scratch.length));
    }
    let text = this.scratch.toString('latin1', 0, complete);
    let start = this.offset;
    if (!this.headerRead) {
      const end = text.indexOf('\n');
      checkHeader(text.slice(0, end), this.header, this.path);
      this.headerRead = true;
      text = text.slice(end + 1);
      start += end + 1;
    }
    this.offset += complete;
    return { text, offset: start };
  }

  /** The cells of the line starting at byte `offset` of the file (a row's long cells, read back). */
  fields(offset: number): readonly string[] {
    return this.line(offset).split(',');
  }

  /** The line starting at byte `offset` of the file. */
  line(offset: number): string {
    const fd = openSync(this.path, 'r');
    try {
      const chunk = Buffer.alloc(4096);
      let text = '';
      for (let at = offset; ; at += chunk.length) {
        const read = readSync(fd, chunk, 0, chunk.length, at);
        const end = chunk.subarray(0, read).indexOf(NEWLINE);
        if (end >= 0) return text + chunk.toString('latin1', 0, end);
        if (read === 0) return text;
        text += chunk.toString('latin1', 0, read);
      }
    } finally {
      closeSync(fd);
    }
  }
}

function readFully(fd: number, into: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, into, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}
