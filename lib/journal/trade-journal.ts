import { CsvJournal } from './csv-file.js';
import { tradeLines } from './lines.js';
import { readTrades } from './read.js';
import { TRADE_COLUMNS, type TradeRow } from './schema.js';

/** trades.csv of one stream: append-only, durable. */
export class TradeJournal {
  private constructor(
    private readonly file: CsvJournal,
    /** The trades as the journal was opened, read and validated through the read side. */
    readonly rows: readonly (TradeRow & { line: number })[],
    readonly cutBytes: number,
  ) {}

  static open(path: string): TradeJournal {
    const { journal, opened } = CsvJournal.open(path, TRADE_COLUMNS);
    try {
      return new TradeJournal(journal, readTrades(path).rows, opened.cutBytes);
    } catch (error) {
      journal.close();
      throw error;
    }
  }

  get path(): string {
    return this.file.path;
  }

  append(rows: readonly TradeRow[]): void {
    if (rows.length > 0) this.file.appendText(tradeLines(rows));
  }

  close(): void {
    this.file.close();
  }
}
