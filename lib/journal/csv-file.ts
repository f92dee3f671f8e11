import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { fsyncPath, MjolnirError, storageFailed } from '../core/index.js';
import { checkHeader } from './cells.js';

/** What opening a journal found. */
export interface OpenedCsv {
  /** Bytes of a torn last line (a crash mid-append) that were cut, or 0. */
  readonly cutBytes: number;
  readonly created: boolean;
}

/**
 * An append-only CSV journal (docs/contracts.md: never rewritten in place). Every append is written and
 * fsynced before it returns, so a row that was reported written survives a SIGKILL or power loss.
 * On open, a last line without its newline (torn by a crash mid-append, never acknowledged) is cut;
 * anything else that does not parse is an error naming file and line, and nothing is touched.
 */
export class CsvJournal {
  private fd: number | null = null;

  private constructor(
    readonly path: string,
    readonly header: readonly string[],
  ) {}

  /** Opens (creating with its header when absent) and reads every row, checking the header and widths. */
  static open(path: string, header: readonly string[]): { journal: CsvJournal; opened: OpenedCsv } {
    const journal = new CsvJournal(path, header);
    try {
      const opened = journal.load();
      journal.fd = openSync(path, 'a');
      return { journal, opened };
    } catch (error) {
      throw storageFailed('open the journal', path, error);
    }
  }

  private load(): OpenedCsv {
    const headerLine = `${this.header.join(',')}\n`;
    if (!existsSync(this.path)) {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(this.path, 'wx');
      writeSync(fd, headerLine);
      fsyncSync(fd);
      closeSync(fd);
      fsyncPath(dirname(this.path));
      return { cutBytes: 0, created: true };
    }
    const bytes = readFileSync(this.path);
    let text = bytes.toString('utf8');
    let cutBytes = 0;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline !== text.length - 1) {
      // A torn tail: the bytes after the last newline were never a complete, acknowledged row.
      const keep = Buffer.byteLength(text.slice(0, lastNewline + 1));
      cutBytes = bytes.length - keep;
      const fd = openSync(this.path, 'r+');
      try {
        ftruncateSync(fd, keep);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      text = text.slice(0, lastNewline + 1);
    }
    if (text === '') {
      // Created but the header never made it (a crash right after creation): write it now.
      const fd = openSync(this.path, 'a');
      writeSync(fd, headerLine);
      fsyncSync(fd);
      closeSync(fd);
      return { cutBytes, created: false };
    }
    // The rows are read and validated through the read side (DecisionTable, TradeTable).
    checkHeader(text.slice(0, text.indexOf('\n')), this.header, this.path);
    return { cutBytes, created: false };
  }

  /** Appends rows durably: one write and one fsync for the batch. */
  append(rows: readonly (readonly string[])[]): void {
    if (rows.length === 0) return;
    if (this.fd === null) throw new MjolnirError('invariant_violated', `${this.path} is closed`);
    let text = '';
    for (const row of rows) {
      if (row.length !== this.header.length || row.some((cell) => /[,\n\r]/.test(cell))) {
        throw new MjolnirError(
          'invariant_violated',
          `refusing a malformed row for ${this.path}: ${row.join('|')}`,
        );
      }
      text += `${row.join(',')}\n`;
    }
    this.writeDurably(this.fd, text);
  }

  /**
   * Appends preformatted lines (each ending in a newline, as many fields as the header) durably. The
   * formatter owns the layout; this checks the shape before a byte is written.
   */
  appendText(text: string): void {
    if (text === '') return;
    if (this.fd === null) throw new MjolnirError('invariant_violated', `${this.path} is closed`);
    if (!text.endsWith('\n'))
      throw new MjolnirError('invariant_violated', `refusing an unterminated line for ${this.path}`);
    for (const line of text.slice(0, -1).split('\n')) {
      if (line.split(',').length !== this.header.length) {
        throw new MjolnirError('invariant_violated', `refusing a malformed row for ${this.path}: ${line}`);
      }
    }
    this.writeDurably(this.fd, text);
  }

  /**
   * Writes all of `text` and fsyncs it. A write that fails part way (a full disk writes what fits,
   * then refuses) is cut back to where the file ended, so no torn row stays behind, and is reported
   * as a `storage_failed` error naming the journal: nothing counts as written.
   */
  private writeDurably(fd: number, text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let before = -1;
    try {
      before = fstatSync(fd).size;
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } catch (error) {
      if (before >= 0) {
        try {
          ftruncateSync(fd, before);
        } catch {
          // A torn tail left here is cut when the journal is next opened.
        }
      }
      throw storageFailed('append to', this.path, error);
    }
  }

  /** Size of the file in bytes. */
  size(): number {
    return this.fd === null ? 0 : fstatSync(this.fd).size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
