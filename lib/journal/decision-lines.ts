import { ACTION_CODE, ACTIONS, REASON_CODE, REASONS } from '../engine/decision.js';
import type { Bar } from '../market/bar.js';
import { barHashLanes } from '../market/hash.js';
import {
  ascii,
  ByteSink,
  MAX_NUMBER_BYTES,
  putBytes,
  putHex32,
  putInteger,
  putNumber,
  putText,
} from './byte-sink.js';
import type { DecisionRow, JournalStream } from './decisions.js';
import { formatNumber } from './format.js';

const COMMA = 44;
const NEWLINE = 10;
const POSITIONS = ['short', 'flat', 'long'] as const;
const SIDE = { short: -1, flat: 0, long: 1 } as const;
const DAY_MS = 86_400_000;
const PAIRS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** "HH:MM:00.000Z" for every minute of a day: bar times fall on minutes. */
const ON_THE_MINUTE = Array.from({ length: 1440 }, (_, m) =>
  ascii(`${PAIRS[Math.floor(m / 60)]}:${PAIRS[m % 60]}:00.000Z`),
);

/** Equity is written to 8 decimals (a satoshi of a BTC-quoted account; far below a cent otherwise). */
function roundEquity(equity: number): number {
  return Math.abs(equity) < 4e7 ? Math.round(equity * 1e8) / 1e8 : equity;
}

/**
 * The one formatting of decisions.csv lines, for the LIVE journal and the backtest alike (so eq reads
 * both the same way). Built for a million rows a second: bytes written straight into a buffer, no
 * string per row, repeated values (a held stop, a size, a day) copied from their last encoding.
 */
export class DecisionLines {
  private readonly prefix: Uint8Array;
  /** "action,reason,position," by (action, reason, side) code. */
  private readonly labels: (Uint8Array | undefined)[] = [];
  /** "stop,qty," of the last row, reused while both repeat (a held position, a flat book). */
  private stop = Number.NaN;
  private qty = Number.NaN;
  private stopQty = ascii(',,');
  private readonly scratch = new ByteSink(512);
  private readonly lanes = new Uint32Array(2);
  private suffixStrategy = '';
  private suffixSpec = '';
  /** ",strategy,spec,YYYY-MM-DDT": the columns after the features up to the time of day, per day. */
  private suffix = ascii(',,,');
  private day = Number.NaN;

  constructor(stream: JournalStream) {
    this.prefix = ascii(`${stream.exchange},${stream.symbol},${stream.timeframe},`);
  }

  private labelsOf(action: number, reason: number, side: number): Uint8Array {
    const key = (action * REASONS.length + reason) * 3 + side + 1;
    let bytes = this.labels[key];
    if (bytes === undefined) {
      bytes = ascii(`${ACTIONS[action]},${REASONS[reason]},${POSITIONS[side + 1]},`);
      this.labels[key] = bytes;
    }
    return bytes;
  }

  /**
   * Writes one line, newline included, in DECISION_COLUMNS order: action and reason by their codes
   * (ACTION_CODE, REASON_CODE), the position by its side. `input` is the bar decided (its hash is
   * written) or its hash as text, '' without a bar.
   */
  write(
    sink: ByteSink,
    ts: number,
    action: number,
    reason: number,
    side: number,
    close: number,
    stop: number,
    qty: number,
    fillPrice: number,
    equity: number,
    input: Bar | string,
    features: string,
    strategy: string,
    spec: string,
  ): void {
    const day = Math.floor(ts / DAY_MS);
    if (strategy !== this.suffixStrategy || spec !== this.suffixSpec || day !== this.day) {
      this.suffixStrategy = strategy;
      this.suffixSpec = spec;
      this.day = day;
      this.suffix = ascii(`,${strategy},${spec},${new Date(day * DAY_MS).toISOString().slice(0, 11)}`);
    }
    if (!Object.is(stop, this.stop) || !Object.is(qty, this.qty)) {
      this.stop = stop;
      this.qty = qty;
      this.stopQty = ascii(`${formatNumber(stop)},${formatNumber(qty)},`);
    }
    const labels = this.labelsOf(action, reason, side);
    const bound =
      this.prefix.length +
      labels.length +
      this.stopQty.length +
      this.suffix.length +
      features.length +
      (typeof input === 'string' ? input.length : 16) +
      4 * MAX_NUMBER_BYTES +
      64;
    const buffer = sink.reserve(bound);
    let at = putBytes(buffer, sink.length, this.prefix);
    at = putInteger(buffer, at, ts);
    buffer[at++] = COMMA;
    at = putBytes(buffer, at, labels);
    at = putNumber(buffer, at, close);
    buffer[at++] = COMMA;
    at = putBytes(buffer, at, this.stopQty);
    at = putNumber(buffer, at, fillPrice);
    buffer[at++] = COMMA;
    at = putNumber(buffer, at, roundEquity(equity));
    buffer[at++] = COMMA;
    if (typeof input === 'string') at = putText(buffer, at, input);
    else {
      barHashLanes(input, this.lanes);
      at = putHex32(buffer, at, this.lanes[0]!);
      at = putHex32(buffer, at, this.lanes[1]!);
    }
    buffer[at++] = COMMA;
    at = putText(buffer, at, features);
    at = putBytes(buffer, at, this.suffix);
    const rest = ts - day * DAY_MS;
    // Bar times fall on minutes; anything else (never in practice) takes the slow way.
    at =
      rest % 60_000 === 0
        ? putBytes(buffer, at, ON_THE_MINUTE[rest / 60_000]!)
        : putText(buffer, at, new Date(ts).toISOString().slice(11));
    buffer[at++] = NEWLINE;
    sink.length = at;
  }

  /** The line of a row, newline included. */
  row(row: DecisionRow): string {
    this.scratch.clear();
    this.write(
      this.scratch,
      row.ts_ms,
      ACTION_CODE[row.action],
      REASON_CODE[row.reason],
      SIDE[row.position],
      row.close,
      row.stop,
      row.qty,
      row.fill_price,
      row.equity,
      row.input_hash,
      row.features,
      row.strategy,
      row.spec,
    );
    return this.scratch.textFrom(0);
  }
}
