import { MjolnirError } from '../core/index.js';
import {
  ACTIONS,
  type Action,
  type Decision,
  type PositionLabel,
  REASONS,
  type Reason,
} from '../engine/index.js';
import type { TsMs } from '../time/index.js';
import { CsvJournal, type CsvLine } from './csv-file.js';
import { DecisionLines } from './decision-lines.js';
import { parseEnum, parseNumber, parseTs } from './values.js';

/** decisions.csv columns: the first four are fixed by CONTRACTS.md (operators `awk -F, '$4==TS'`). */
export const DECISION_COLUMNS = [
  'exchange',
  'symbol',
  'timeframe',
  'ts_ms',
  'action',
  'reason',
  'position',
  'close',
  'stop',
  'qty',
  'fill_price',
  'equity',
  'input_hash',
  'features',
  'strategy',
  'spec',
  'time_utc',
] as const;

/** One decisions.csv row. */
export interface DecisionRow {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly ts_ms: TsMs;
  readonly action: Action;
  readonly reason: Reason;
  readonly position: PositionLabel;
  readonly close: number;
  readonly stop: number;
  readonly qty: number;
  readonly fill_price: number;
  /** Capital plus realised and unrealised PnL, marked at this bar's close (NaN without a close): the equity curve. */
  readonly equity: number;
  /** Fingerprint of the bar decided (lib/market/hash.ts); empty when there was no bar. */
  readonly input_hash: string;
  /** The strategy's feature values, `name=value;...`. */
  readonly features: string;
  readonly strategy: string;
  /** Fingerprint of the engine spec (config) the decision was made under. */
  readonly spec: string;
}

/** Identifies the stream a journal belongs to. */
export interface JournalStream {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
}

/** A decision as a row, with what explains it. */
export function decisionRow(
  stream: JournalStream,
  decision: Decision,
  extra: { equity: number; inputHash: string; features: string; strategy: string; spec: string },
): DecisionRow {
  return {
    ...stream,
    ts_ms: decision.ts_ms,
    action: decision.action,
    reason: decision.reason,
    position: decision.position,
    close: decision.close,
    stop: decision.stop,
    qty: decision.qty,
    fill_price: decision.fill_price,
    equity: extra.equity,
    input_hash: extra.inputHash,
    features: extra.features,
    strategy: extra.strategy,
    spec: extra.spec,
  };
}

/** Parses one decisions.csv line strictly. */
export function parseDecision(line: CsvLine, path: string): DecisionRow & { line: number } {
  const f = line.fields;
  const where = `${path}:${line.line}`;
  return {
    line: line.line,
    exchange: f[0]!,
    symbol: f[1]!,
    timeframe: f[2]!,
    ts_ms: parseTs(f[3]!, where, 'ts_ms') as TsMs,
    action: parseEnum(f[4]!, ACTIONS, where, 'action'),
    reason: parseEnum(f[5]!, REASONS, where, 'reason'),
    position: parseEnum(f[6]!, ['flat', 'long', 'short'] as const, where, 'position'),
    close: parseNumber(f[7]!, where, 'close'),
    stop: parseNumber(f[8]!, where, 'stop'),
    qty: parseNumber(f[9]!, where, 'qty'),
    fill_price: parseNumber(f[10]!, where, 'fill_price'),
    equity: parseNumber(f[11]!, where, 'equity'),
    input_hash: f[12]!,
    features: f[13]!,
    strategy: f[14]!,
    spec: f[15]!,
  };
}

/** What to do about a row whose ts_ms is not after the last one (CONTRACTS.md). */
export interface MonotonicPolicy {
  /** ENFORCE_DECISION_MONOTONIC=1: fail fast. Otherwise the row is refused and reported. */
  readonly enforce: boolean;
  readonly onRefused: (row: DecisionRow, lastTs: number) => void;
}

/** decisions.csv of one stream: strictly increasing ts_ms, append-only, durable. */
export class DecisionJournal {
  private lastTs: number;

  private lines: DecisionLines | null = null;

  private constructor(
    private readonly file: CsvJournal,
    readonly rows: readonly (DecisionRow & { line: number })[],
    readonly cutBytes: number,
    private readonly policy: MonotonicPolicy,
  ) {
    this.lastTs = rows.at(-1)?.ts_ms ?? Number.NEGATIVE_INFINITY;
  }

  /** Opens a journal, validating every row (a bad one is an error naming file and line) and the order. */
  static open(path: string, policy: MonotonicPolicy): DecisionJournal {
    const { journal, opened } = CsvJournal.open(path, DECISION_COLUMNS);
    try {
      const rows = opened.lines.map((line) => parseDecision(line, path));
      for (let i = 1; i < rows.length; i++) {
        if (rows[i]!.ts_ms <= rows[i - 1]!.ts_ms) {
          throw new MjolnirError(
            'not_monotonic',
            `${path}:${rows[i]!.line}: ts_ms ${rows[i]!.ts_ms} is not after ${rows[i - 1]!.ts_ms} (line ${rows[i - 1]!.line})`,
          );
        }
      }
      return new DecisionJournal(journal, rows, opened.cutBytes, policy);
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
      this.lines ??= new DecisionLines(accepted[0]!);
      this.file.appendText(accepted.map((row) => this.lines!.row(row)).join(''));
    }
    this.lastTs = last;
    return accepted;
  }

  close(): void {
    this.file.close();
  }
}
