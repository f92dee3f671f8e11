/**
 * Journal text written straight into bytes: a million rows a second without a string per row (the
 * strings, not the formatting, were what cost: their garbage and their encoding on write). Journals
 * hold ASCII only, so one byte per character.
 *
 * The writers are plain functions over (view, position) returning the next position, so a line is
 * formatted with its view and position in locals; the caller reserves room for a whole line, plus
 * SLACK: text known in advance (Words) is copied four bytes at a time and may write up to three
 * bytes past its end, which whatever comes next overwrites. Digits go two at a time.
 */

import { LITTLE_ENDIAN } from '../core/index.js';

/** A module constant, so the hot copy loop sees it as one. */
const WORD_ORDER_LITTLE = LITTLE_ENDIAN;
const SCALE = 1e8;
// Below 2^52 * 1e-8 (about 4.5e7) doubles are spaced less than 1e-8 apart: each 8-decimal value is the
// only one in its double's rounding interval, so its trimmed 8-decimal form is the shortest round-trip
// form, which String picks. Below 1e-6 String switches to exponent notation.
const FAST_LIMIT = 4e7;
const FAST_FLOOR = 1e-6;
const ZERO = 48;
const DOT = 46;
const MINUS = 45;

/** The most bytes putNumber writes: String of a double is at most 25 characters (-0.0000012345678901234567). */
export const MAX_NUMBER_BYTES = 25;
/** Room a writer may use past the end of what it writes (see putWords). */
export const SLACK = 4;

/** "00" .. "99" as little-endian 16-bit words: one store writes two digits. */
const PAIRS = new Uint16Array(100);
for (let i = 0; i < 100; i++) PAIRS[i] = (ZERO + Math.floor(i / 10)) | ((ZERO + (i % 10)) << 8);
/** "00" .. "ff" likewise. */
const HEX_PAIRS = new Uint16Array(256);
const HEX = '0123456789abcdef';
for (let i = 0; i < 256; i++) HEX_PAIRS[i] = HEX.charCodeAt(i >> 4) | (HEX.charCodeAt(i & 15) << 8);

/**
 * ASCII text held as little-endian 32-bit words, for putWords. Rewritable in place up to the
 * capacity it was made with (a held stop and size re-encoded without allocating).
 */
export class Words {
  length = 0;
  readonly words: Uint32Array;
  /** Bytes over the words, for writing the text in place. */
  readonly view: DataView;

  constructor(capacity: number) {
    this.words = new Uint32Array(Math.ceil(capacity / 4) + 1);
    this.view = new DataView(this.words.buffer);
  }

  static of(text: string): Words {
    const words = new Words(text.length);
    words.length = putText(words.view, 0, text);
    return words;
  }
}

/**
 * Copies `value` to `at`, four bytes at a time (up to three bytes past the end: reserve SLACK), its
 * words read in the machine's byte order and so written back in it.
 */
export function putWords(view: DataView, at: number, value: Words): number {
  const words = value.words;
  const n = (value.length + 3) >> 2;
  for (let i = 0; i < n; i++) view.setUint32(at + 4 * i, words[i]!, WORD_ORDER_LITTLE);
  return at + value.length;
}

/** ASCII text at `at`. */
export function putText(view: DataView, at: number, value: string): number {
  const n = value.length;
  for (let i = 0; i < n; i++) view.setUint8(at + i, value.charCodeAt(i));
  return at + n;
}

/** The decimal digits of an integer in [0, 1e8). */
function digitCount(value: number): number {
  if (value < 1e4) return value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : 4;
  return value < 1e6 ? (value < 1e5 ? 5 : 6) : value < 1e7 ? 7 : 8;
}

/** An integer in [0, 1e8) as exactly `digits` digits (zero-padded). */
function putDigits(view: DataView, at: number, value: number, digits: number): number {
  let rest = value | 0;
  let i = at + digits;
  while (i - at >= 2) {
    const next = (rest / 100) | 0;
    i -= 2;
    view.setUint16(i, PAIRS[rest - next * 100]!, true);
    rest = next;
  }
  if (i > at) view.setUint8(at, ZERO + rest);
  return at + digits;
}

/*
 * The hot writers take doubles from a Float64Array cell, not as arguments: V8 boxes a double passed to
 * a function it does not inline (a line's writer calls more than it inlines), one allocation each.
 */

/** A one-cell scratch for the argument forms below. */
const CELL = new Float64Array(1);
const LANE = new Uint32Array(1);

/** A non-negative integer below 2^53, in decimal (int32 arithmetic on 8-digit pieces). */
export function putInteger(view: DataView, at: number, value: number): number {
  CELL[0] = value;
  return putIntegerCell(view, at, CELL, 0);
}

/** putInteger of `cells[k]`. */
export function putIntegerCell(view: DataView, at: number, cells: Float64Array, k: number): number {
  const value = cells[k]!;
  if (value < 1e8) return putDigits(view, at, value, digitCount(value));
  // Below 2^53 the high part is below 1e8 too.
  const high = Math.floor(value / 1e8);
  return putDigits(view, putDigits(view, at, high, digitCount(high)), value - high * 1e8, 8);
}

/**
 * Exactly the characters of `String(x)` (NaN writes nothing): built with integer arithmetic for a value
 * of up to 8 decimals between 1e-6 and 4e7 (exchange prices, sizes), String itself otherwise.
 */
export function putNumber(view: DataView, at: number, x: number): number {
  CELL[0] = x;
  return putNumberCell(view, at, CELL, 0);
}

/** putNumber of `cells[k]`. */
export function putNumberCell(view: DataView, at: number, cells: Float64Array, k: number): number {
  const x = cells[k]!;
  if (Number.isNaN(x)) return at;
  if (x === 0) {
    view.setUint8(at, ZERO);
    return at + 1;
  }
  const magnitude = x < 0 ? -x : x;
  const scaled = Math.round(magnitude * SCALE);
  if (!(magnitude < FAST_LIMIT && magnitude >= FAST_FLOOR) || scaled / SCALE !== magnitude)
    return putText(view, at, String(x));
  if (x < 0) view.setUint8(at++, MINUS);
  // Both parts fit in int32: the whole part is below 4e7, the fraction below 1e8.
  const whole = Math.floor(scaled / SCALE);
  const fraction = (scaled - whole * SCALE) | 0;
  at = putDigits(view, at, whole, digitCount(whole));
  if (fraction === 0) return at;
  view.setUint8(at, DOT);
  // Trailing zeros dropped before writing (prices mostly have two decimals of the eight).
  let digits = 8;
  let rest = fraction;
  while (rest % 100 === 0) {
    rest = (rest / 100) | 0;
    digits -= 2;
  }
  if (rest % 10 === 0) {
    rest = (rest / 10) | 0;
    digits--;
  }
  return putDigits(view, at + 1, rest, digits);
}

/** Eight lowercase hex digits of a 32-bit unsigned value. */
export function putHex32(view: DataView, at: number, value: number): number {
  LANE[0] = value;
  return putHexLane(view, at, LANE, 0);
}

/** putHex32 of `lanes[k]`. */
export function putHexLane(view: DataView, at: number, lanes: Uint32Array, k: number): number {
  const value = lanes[k]!;
  view.setUint16(at, HEX_PAIRS[value >>> 24]!, true);
  view.setUint16(at + 2, HEX_PAIRS[(value >>> 16) & 255]!, true);
  view.setUint16(at + 4, HEX_PAIRS[(value >>> 8) & 255]!, true);
  view.setUint16(at + 6, HEX_PAIRS[value & 255]!, true);
  return at + 8;
}

/** A growable byte buffer: reserve room, write into its view with the put functions, then set `length`. */
export class ByteSink {
  buffer: Uint8Array<ArrayBuffer>;
  view: DataView;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Makes room for `bytes` more (SLACK included) and returns the view to write into (it may have moved). */
  reserve(bytes: number): DataView {
    const needed = this.length + bytes + SLACK;
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, needed));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    return this.view;
  }

  /** Writes into `buffer` from its start from now on (one handed back for reuse: no fresh memory to fault in). */
  adopt(buffer: Uint8Array<ArrayBuffer>): void {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.length = 0;
  }

  /** Appends ASCII text. */
  text(value: string): void {
    this.length = putText(this.reserve(value.length), this.length, value);
  }

  /** The bytes written since `from`, as text. */
  textFrom(from: number): string {
    return Buffer.from(this.buffer.buffer, this.buffer.byteOffset + from, this.length - from).toString(
      'latin1',
    );
  }

  clear(): void {
    this.length = 0;
  }
}
