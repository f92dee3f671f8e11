/**
 * A schema's CSV lines written straight into bytes from a batch's lanes, built for a million rows a
 * second: the columns are compiled once into segments (the cells fixed for the run merged into one
 * piece of text with their commas, the rest each a step reading its lane), repeated values copied
 * from their last encoding (a held stop and size, a day, a decision's labels), no string per row.
 */
import { LITTLE_ENDIAN, MjolnirError } from '../core/index.js';
import { barHashLanesAt } from '../market/index.js';
import {
  type ByteSink,
  MAX_NUMBER_BYTES,
  putHexLane,
  putIntegerCell,
  putNumberCell,
  putText,
  putWords,
  Words,
} from './byte-sink.js';
import type { ColumnLayout, RowCodec } from './row-codec.js';
import type { ConstantsOf, Schema } from './schema.js';

const COMMA = 44;
const DAY_MS = 86_400_000;
const PAIRS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** "HH:MM:00.000Z" for every minute of a day: bar times fall on minutes. */
const ON_THE_MINUTE = Array.from({ length: 1440 }, (_, m) =>
  Words.of(`${PAIRS[Math.floor(m / 60)]}:${PAIRS[m % 60]}:00.000Z`),
);
/** Bytes an ISO time takes at most ("+275760-09-13T00:00:00.000Z"). */
const TIME_BYTES = 27;

const LITERAL = 0;
const INTEGER = 1;
const NUMBER = 2;
const MONEY = 3;
const REPEATS = 4;
const CODES = 5;
const HASH = 6;
const TEXT = 7;
const TIME = 8;

/** One step of a line: every segment has the same shape, so the writer's loop sees one kind of object. */
class Segment {
  /** Text of a LITERAL; the cached cells of REPEATS and CODES; the date of TIME. */
  words = new Words(0);
  /** LITERAL: its text; TIME: the text before the date (a literal merged into it). */
  literal = '';
  /** Byte written after the segment (a comma between two cells), or -1. */
  after = -1;
  /** The cached key of `words` (CODES: the codes' combined key; TIME: the day). */
  key = Number.NaN;
  /** REPEATS: the values `words` holds. */
  readonly last: Float64Array;
  /** CODES: the label text of each cell by key (built as met). */
  readonly byKey: (Words | undefined)[] = [];

  constructor(
    readonly type: number,
    /** The first float lane (INTEGER, NUMBER, MONEY, REPEATS, HASH, TIME) or code lane (CODES). */
    readonly lane: number,
    /** How many lanes the segment reads (REPEATS, CODES). */
    readonly width: number,
    /** HASH: its code lane (1: the row has its bar) and text lane; TEXT: its text lane. */
    readonly flag: number,
    readonly text: number,
    /** CODES: each cell's labels. */
    readonly labels: readonly (readonly string[])[],
    /** Most bytes the segment writes, text lanes aside. */
    readonly bytes: number,
  ) {
    this.last = new Float64Array(type === REPEATS ? width : 0).fill(Number.NaN);
    if (type === REPEATS) {
      // The cells of NaNs (empty), so a first row of NaNs is written from the cache as any other.
      this.words = new Words(bytes);
      this.words.length = putText(this.words.view, 0, ','.repeat(width - 1));
    }
  }
}

/** Consecutive columns that form one segment: cells fixed for the run, repeated numbers, codes. */
function groupOf(layout: ColumnLayout): string {
  const { kind, repeats } = layout.column;
  if (kind === 'stream' || kind === 'run') return 'literal';
  if (kind === 'number' && repeats === true) return 'repeats';
  if (kind === 'code') return 'codes';
  return `single ${layout.index}`;
}

/** Splits the columns into runs of the same group. */
function groups(columns: readonly ColumnLayout[]): ColumnLayout[][] {
  const out: ColumnLayout[][] = [];
  for (const column of columns) {
    const last = out.at(-1);
    if (last !== undefined && groupOf(last[0]!) === groupOf(column)) last.push(column);
    else out.push([column]);
  }
  return out;
}

/**
 * The segment of one group, or its text when fixed. `tsLane` is the float lane of the row's
 * timestamp, its first `ts` column (what a `time` column writes).
 */
function segmentOf(
  group: ColumnLayout[],
  constants: Readonly<Record<string, string>>,
  tsLane: number,
): Segment | string {
  const first = group[0]!;
  const kind = first.column.kind;
  if (kind === 'stream' || kind === 'run') return group.map((c) => constants[c.column.name] ?? '').join(',');
  if (kind === 'code') {
    const labels = group.map((c) => c.column.labels!);
    const bytes = labels.reduce((n, l) => n + Math.max(...l.map((x) => x.length)) + 1, 0);
    return new Segment(CODES, first.code, group.length, -1, -1, labels, bytes);
  }
  if (kind === 'number' && group.length > 1)
    return new Segment(REPEATS, first.float, group.length, -1, -1, [], group.length * (MAX_NUMBER_BYTES + 1));
  const single = (type: number, bytes: number) =>
    new Segment(type, first.float, 1, first.code, first.text, [], bytes);
  switch (kind) {
    case 'ts':
      return single(INTEGER, MAX_NUMBER_BYTES);
    case 'number':
      return first.column.repeats === true
        ? new Segment(REPEATS, first.float, 1, -1, -1, [], MAX_NUMBER_BYTES + 1)
        : single(NUMBER, MAX_NUMBER_BYTES);
    case 'money':
      return single(MONEY, MAX_NUMBER_BYTES);
    case 'hash':
      return single(HASH, 16);
    case 'text':
      return single(TEXT, 0);
    default:
      return new Segment(TIME, tsLane, 1, -1, -1, [], TIME_BYTES);
  }
}

/** The segments of a line: literal text merged, a lone comma after a segment folded into it. */
function compile(columns: readonly ColumnLayout[], constants: Readonly<Record<string, string>>): Segment[] {
  const pieces: (Segment | string)[] = [];
  let tsLane = -1;
  groups(columns).forEach((group, i) => {
    if (i > 0) pieces.push(',');
    pieces.push(segmentOf(group, constants, tsLane));
    for (const c of group) if (c.column.kind === 'ts' && tsLane < 0) tsLane = c.float;
  });
  pieces.push('\n');
  const segments: Segment[] = [];
  let text = '';
  const flush = () => {
    if (text === '') return;
    const previous = segments.at(-1);
    if (text.length === 1 && previous !== undefined && previous.type !== LITERAL && previous.after < 0)
      previous.after = text.charCodeAt(0);
    else {
      const literal = new Segment(LITERAL, -1, 0, -1, -1, [], text.length);
      literal.words = Words.of(text);
      literal.literal = text;
      segments.push(literal);
    }
    text = '';
  };
  for (const piece of pieces) {
    if (typeof piece === 'string') text += piece;
    else {
      flush();
      // The text before a time is written with its date (one copy per row, rebuilt once a day).
      const previous = segments.at(-1);
      if (piece.type === TIME && previous?.type === LITERAL) {
        piece.literal = previous.literal;
        segments.pop();
      }
      segments.push(piece);
    }
  }
  flush();
  return segments;
}

/** The lanes of a batch of rows (see batch.ts), read by the writer. */
export interface Lanes {
  readonly count: number;
  readonly capacity: number;
  readonly floats: Float64Array;
  readonly codes: Uint8Array;
  /** Text lanes, `capacity` per lane; a missing entry is ''. */
  readonly texts: readonly (string | undefined)[];
}

/** Scratch for the helpers below (one thread writes at a time). */
const CELL = new Float64Array(1);
const HASH_LANES = new Uint32Array(2);

/** HASH: the fingerprint of the bar in the six lanes from float `k` (lanes `c` apart). */
function putBarHash(view: DataView, at: number, floats: Float64Array, k: number, c: number): number {
  barHashLanesAt(floats, k, c, HASH_LANES);
  return putHexLane(view, putHexLane(view, at, HASH_LANES, 0), HASH_LANES, 1);
}

const HELPERS = {
  CELL,
  putText,
  putNumberCell,
  putIntegerCell,
  ON_THE_MINUTE,
  putBarHash,
  repeated,
  labelsOf,
  putTime,
};

/** Writes rows [from, to) of a batch's lanes with `segments`. */
type Compiled = (
  sink: ByteSink,
  floats: Float64Array,
  codes: Uint8Array,
  texts: readonly (string | undefined)[],
  c: number,
  from: number,
  to: number,
  segments: readonly Segment[],
) => void;

/** Copies Words `w` at `at`, four bytes at a time (putWords, written out: the writer calls enough already). */
const COPY_WORDS = `{ const ws = w.words; const k = (w.length + 3) >> 2; for (let j = 0; j < k; j++) view.setUint32(at + 4 * j, ws[j], ${LITTLE_ENDIAN}); at += w.length; }`;

/** The statement writing one segment of row `n` (`at` the position; `view` the sink's). */
function statement(segment: Segment, i: number): string {
  const lane = (k: number) => `${k} * c + n`;
  const text = `(noText ? '' : (texts[${lane(segment.text)}] ?? ''))`;
  switch (segment.type) {
    case LITERAL:
      return `{ const w = s${i}.words; ${COPY_WORDS} }`;
    case INTEGER:
      return `{ const k = ${lane(segment.lane)}; const x = floats[k]; at = Number.isSafeInteger(x) && x >= 0 ? putIntegerCell(view, at, floats, k) : putText(view, at, String(x)); }`;
    case NUMBER:
      return `at = putNumberCell(view, at, floats, ${lane(segment.lane)});`;
    case MONEY:
      // To 8 decimals (a satoshi of a BTC-quoted account; far below a cent otherwise).
      return `{ const x = floats[${lane(segment.lane)}]; CELL[0] = Math.abs(x) < 4e7 ? Math.round(x * 1e8) / 1e8 : x; at = putNumberCell(view, at, CELL, 0); }`;
    case REPEATS:
      return `{ const w = repeated(s${i}, floats, c, n); ${COPY_WORDS} }`;
    case CODES:
      return `{ const w = labelsOf(s${i}, codes, c, n); ${COPY_WORDS} }`;
    case HASH:
      return `at = codes[${lane(segment.flag)}] === 1 ? putBarHash(view, at, floats, ${lane(segment.lane)}, c) : putText(view, at, ${text});`;
    case TEXT:
      return `at = putText(view, at, ${text});`;
    default:
      // The day's text copied, the time of day from the minutes' table; a new day or a time off the
      // minute through putTime.
      return `{ const ts = floats[${lane(segment.lane)}]; const day = Math.floor(ts / ${DAY_MS}); const rest = (ts - day * ${DAY_MS}) | 0;
        if (day !== s${i}.key || rest % 60000 !== 0) at = putTime(s${i}, view, at, ts);
        else { { const w = s${i}.words; ${COPY_WORDS} } { const w = ON_THE_MINUTE[(rest / 60000) | 0]; ${COPY_WORDS} } } }`;
  }
}

/** Compiled writers by their source: one per layout of segments, shared by every run (V8 optimises it once). */
const compiled = new Map<string, Compiled>();

/**
 * The segments as one straight-line function (a statement each, lanes as constants): what a
 * hand-written writer would be, derived from the schema. Only numbers go into the source; every text
 * (the run's cells) stays in the segments it reads.
 */
function compiledOf(segments: readonly Segment[]): Compiled {
  // A time segment also writes the literal merged into it.
  const fixed = segments.reduce((n, s) => n + s.bytes + (s.type === TIME ? s.literal.length : 0) + 1, 0);
  const textLanes = segments.filter((s) => s.type === HASH || s.type === TEXT).map((s) => s.text);
  const source = [
    `const { ${Object.keys(HELPERS).join(', ')} } = helpers;`,
    'return function write(sink, floats, codes, texts, c, from, to, segments) {',
    segments.map((_, i) => `const s${i} = segments[${i}];`).join('\n'),
    'const noText = texts.length === 0;',
    'for (let n = from; n < to; n++) {',
    `let bound = ${fixed};`,
    textLanes.length === 0
      ? ''
      : `if (!noText) bound += ${textLanes.map((k) => `(texts[${k} * c + n]?.length ?? 0)`).join(' + ')};`,
    'const view = sink.reserve(bound);',
    'let at = sink.length;',
    ...segments.map((segment, i) =>
      segment.after >= 0
        ? `${statement(segment, i)} view.setUint8(at++, ${segment.after});`
        : statement(segment, i),
    ),
    'sink.length = at;',
    '}',
    '};',
  ].join('\n');
  let write = compiled.get(source);
  if (write === undefined) {
    write = new Function('helpers', source)(HELPERS) as Compiled;
    compiled.set(source, write);
  }
  return write;
}

/** Text that can be a CSV cell as it is (no comma, no line break), else an invariant error naming `column`. */
export function csvCell(column: string, value: string): string {
  if (/[,\n\r]/.test(value))
    throw new MjolnirError(
      'invariant_violated',
      `${column} ${JSON.stringify(value)} cannot be a CSV cell (a comma or a line break)`,
    );
  return value;
}

/** Writes a schema's lines for one run of rows (its `stream` and `run` cells fixed). */
export class LineWriter<S extends Schema> {
  private readonly segments: Segment[];
  private readonly compiled: Compiled;

  constructor(
    readonly codec: RowCodec<S>,
    readonly constants: ConstantsOf<S>,
  ) {
    for (const [name, value] of Object.entries(constants as Readonly<Record<string, string>>))
      csvCell(name, value);
    this.segments = compile(codec.columns, constants as Readonly<Record<string, string>>);
    this.compiled = compiledOf(this.segments);
  }

  /** Appends the lines of rows [from, to) of `lanes`, newline included, in column order. */
  write(sink: ByteSink, lanes: Lanes, from = 0, to = lanes.count): void {
    this.compiled(sink, lanes.floats, lanes.codes, lanes.texts, lanes.capacity, from, to, this.segments);
  }
}

/** REPEATS: the cells' text, re-encoded only when a value changed. */
function repeated(segment: Segment, floats: Float64Array, c: number, n: number): Words {
  const last = segment.last;
  let same = true;
  for (let k = 0; k < segment.width; k++)
    if (!Object.is(floats[(segment.lane + k) * c + n], last[k])) same = false;
  if (same) return segment.words;
  const view = segment.words.view;
  let at = 0;
  for (let k = 0; k < segment.width; k++) {
    if (k > 0) view.setUint8(at++, COMMA);
    last[k] = floats[(segment.lane + k) * c + n]!;
    at = putNumberCell(view, at, last, k);
  }
  segment.words.length = at;
  return segment.words;
}

/** CODES: the labels' text for the row's codes (built once per combination). */
function labelsOf(segment: Segment, codes: Uint8Array, c: number, n: number): Words {
  let key = 0;
  for (let k = 0; k < segment.width; k++)
    key = key * segment.labels[k]!.length + codes[(segment.lane + k) * c + n]!;
  if (key === segment.key) return segment.words;
  let words = segment.byKey[key];
  if (words === undefined) {
    const cells = segment.labels.map((labels, k) => labels[codes[(segment.lane + k) * c + n]!] ?? '');
    words = Words.of(cells.join(','));
    segment.byKey[key] = words;
  }
  segment.key = key;
  segment.words = words;
  return words;
}

/** TIME: "YYYY-MM-DDTHH:MM:SS.sssZ" of `ts`, the date kept per day, minutes from a table. */
function putTime(segment: Segment, view: DataView, at: number, ts: number): number {
  const day = Math.floor(ts / DAY_MS);
  if (day !== segment.key) {
    if (!Number.isFinite(ts)) return putText(view, at, segment.literal);
    segment.key = day;
    segment.words = Words.of(segment.literal + new Date(day * DAY_MS).toISOString().slice(0, 11));
  }
  at = putWords(view, at, segment.words);
  // Within a day, so int32 arithmetic (a float remainder is slow). Anything off the minute takes the slow way.
  const rest = (ts - day * DAY_MS) | 0;
  return rest % 60_000 === 0
    ? putWords(view, at, ON_THE_MINUTE[(rest / 60_000) | 0]!)
    : putText(view, at, new Date(ts).toISOString().slice(11));
}
