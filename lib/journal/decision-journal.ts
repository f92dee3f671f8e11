import { MjolnirError } from '../core/index.js';
import { CsvJournal } from './csv-file.js';
import type { MonotonicPolicy } from './decisions.js';
import { decisionLines } from './lines.js';
import { readDecisions } from './read.js';
import { DECISION_COLUMNS, type DecisionRow } from './schema.js';
import type { DecisionTable } from './table.js';

/** decisions.csv of one stream: strictly increasing ts_ms, append-only, durable. */
export class DecisionJournal {
  private lastTs: number;

  private constructor(
    private readonly file: CsvJournal,
    /** The rows as the journal was opened, read through the read side (columns). */
    readonly table: DecisionTable,
    readonly cutBytes: number,
    private readonly policy: MonotonicPolicy,
  ) {
    this.lastTs = table.lastTs;
  }

  /**
   * Opens a journal for appending: a torn last line (a crash mid-append) is cut, then every row is
   * read and validated through the read side (a bad one is an error naming file and line, nothing is
   * rewritten), strictly increasing in ts_ms.
   */
  static open(path: string, policy: MonotonicPolicy): DecisionJournal {
    const { journal, opened } = CsvJournal.open(path, DECISION_COLUMNS);
    try {
      return new DecisionJournal(journal, readDecisions(path), opened.cutBytes, policy);
    } catch (error) {
      journal.close();
      throw error;
    }
  }

  get path(): string {
    return this.file.path;
  }

  /** ts_ms of the last decision written, or -Infinity. */
  get last(): number {
    return this.lastTs;
  }

  /** Appends decisions durably; rows not after the last one are refused (or throw, when enforced). */
  append(rows: readonly DecisionRow[]): DecisionRow[] {
    const accepted: DecisionRow[] = [];
    let last = this.lastTs;
    for (const row of rows) {
      if (row.ts_ms <= last) {
        if (this.policy.enforce) {
          throw new MjolnirError(
            'not_monotonic',
            `${this.path}: decision ts_ms ${row.ts_ms} is not after ${last}`,
          );
        }
        this.policy.onRefused(row, last);
        continue;
      }
      accepted.push(row);
      last = row.ts_ms;
    }
    if (accepted.length > 0) {
      this.file.appendText(decisionLines(accepted));
    }
    this.lastTs = last;
    return accepted;
  }

  close(): void {
    this.file.close();
  }
}
