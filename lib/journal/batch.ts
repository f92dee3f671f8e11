/**
 * Rows of a schema in columns (lanes laid out by RowCodec), for one run of rows: what the engine's
 * thread fills, a formatting worker is sent, and `encodeBatch` writes as CSV lines.
 */
import { MjolnirError } from '../core/index.js';
import type { ByteSink } from './byte-sink.js';
import { csvCell, LineWriter } from './line-writer.js';
import { hashOfLanes, type RowCodec } from './row-codec.js';
import type { ConstantsOf, RowOf, Schema } from './schema.js';

/**
 * The writer of a run's rows, kept with its fixed cells (the same object for every batch of a run, here
 * and on a formatting worker): compiled once a run, its caches (labels, a held stop, the day) kept.
 */
const writers = new WeakMap<object, LineWriter<Schema>>();

function writerFor<S extends Schema>(codec: RowCodec<S>, constants: ConstantsOf<S>): LineWriter<S> {
  let writer = writers.get(constants) as LineWriter<S> | undefined;
  if (writer === undefined || writer.codec !== codec) {
    writer = new LineWriter(codec, constants);
    writers.set(constants, writer as unknown as LineWriter<Schema>);
  }
  return writer;
}

/** A batch as plain transferable data (what crosses to a worker): lanes of `capacity` rows. */
export interface BatchData {
  readonly seq: number;
  readonly count: number;
  readonly capacity: number;
  readonly floats: Float64Array<ArrayBuffer>;
  readonly codes: Uint8Array<ArrayBuffer>;
  /** Text lanes; entries never set are '' (a batch without text sends an empty array). */
  readonly texts: (string | undefined)[];
}

/** Rows in lanes, all with the same `stream` and `run` cells (`constants`). */
export class Batch<S extends Schema> {
  count = 0;
  readonly floats: Float64Array<ArrayBuffer>;
  readonly codes: Uint8Array<ArrayBuffer>;
  readonly texts: (string | undefined)[];

  constructor(
    readonly codec: RowCodec<S>,
    readonly constants: ConstantsOf<S>,
    readonly capacity: number,
    recycled?: BatchData,
  ) {
    const fits = recycled !== undefined && recycled.capacity === capacity;
    this.floats = fits ? recycled.floats : new Float64Array(capacity * codec.floats);
    this.codes = fits ? recycled.codes : new Uint8Array(capacity * codec.codes);
    this.texts = fits ? recycled.texts : [];
    this.texts.length = 0;
  }

  /** A batch sent as data, to be written (on a worker: its constants came with the run). */
  static of<S extends Schema>(codec: RowCodec<S>, constants: ConstantsOf<S>, data: BatchData): Batch<S> {
    const batch = new Batch(codec, constants, data.capacity, { ...data, texts: [] });
    batch.count = data.count;
    data.texts.forEach((text, i) => {
      if (text !== undefined) batch.texts[i] = text;
    });
    return batch;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends a row given as an object (its `stream` and `run` cells must be this batch's). */
  push(row: RowOf<S>): void {
    if (this.full) throw new MjolnirError('invariant_violated', 'Batch.push on a full batch');
    const values = row as unknown as Record<string, string | number>;
    // Counted once every cell is in: a refused row leaves the batch as it was.
    const n = this.count;
    const c = this.capacity;
    for (const { column, float, code, text } of this.codec.columns) {
      const value = values[column.name];
      switch (column.kind) {
        case 'ts':
        case 'number':
        case 'money':
          this.floats[float * c + n] = value as number;
          break;
        case 'code': {
          const known = this.codec.codeOf[column.name]![value as string];
          if (known === undefined)
            throw new MjolnirError('invariant_violated', `${column.name} "${String(value)}" has no code`);
          this.codes[code * c + n] = known;
          break;
        }
        case 'hash':
          this.codes[code * c + n] = 0;
          if (value !== '') this.texts[text * c + n] = csvCell(column.name, value as string);
          break;
        case 'text':
          if (value !== '') this.texts[text * c + n] = csvCell(column.name, value as string);
          break;
        default:
          if (column.kind !== 'time' && value !== (this.constants as Record<string, string>)[column.name])
            throw new MjolnirError(
              'invariant_violated',
              `${column.name} "${String(value)}" is not this batch's`,
            );
      }
    }
    this.count = n + 1;
  }

  /** Row `n` as an object (a `hash` column's bar fingerprinted). */
  row(n: number): RowOf<S> {
    const c = this.capacity;
    const row: Record<string, string | number> = {};
    for (const { column, float, code, text } of this.codec.columns) {
      switch (column.kind) {
        case 'ts':
        case 'number':
        case 'money':
          row[column.name] = this.floats[float * c + n]!;
          break;
        case 'code':
          row[column.name] = column.labels![this.codes[code * c + n]!]!;
          break;
        case 'hash':
          row[column.name] =
            this.codes[code * c + n] === 1
              ? hashOfLanes(this.floats, c, float, n)
              : (this.texts[text * c + n] ?? '');
          break;
        case 'text':
          row[column.name] = this.texts[text * c + n] ?? '';
          break;
        case 'time':
          break;
        default:
          row[column.name] = (this.constants as Record<string, string>)[column.name]!;
      }
    }
    return row as RowOf<S>;
  }

  /** Every row as objects. */
  rows(): RowOf<S>[] {
    return Array.from({ length: this.count }, (_, n) => this.row(n));
  }

  /** Empties the batch for reuse. */
  clear(): void {
    this.count = 0;
    this.texts.length = 0;
  }

  /** The batch as data, numbered `seq`; this object must not be used afterwards. */
  data(seq: number): BatchData {
    const { count, capacity, floats, codes, texts } = this;
    return { seq, count, capacity, floats, codes, texts };
  }

  /** The CSV lines of its rows (see encodeBatch). */
  encode(sink: ByteSink): void {
    writerFor(this.codec, this.constants).write(sink, this);
  }
}

/** Writes the CSV lines of a batch's rows into `sink`, newline included, in column order. */
export function encodeBatch<S extends Schema>(batch: Batch<S>, sink: ByteSink): void {
  batch.encode(sink);
}
