/**
 * Journal text written straight into bytes: a million rows a second without a string per row (the
 * strings, not the formatting, were what cost: their garbage and their encoding on write). Journals
 * hold ASCII only, so one byte per character.
 *
 * The writers are plain functions over (buffer, position) returning the next position, so a line
 * is formatted with its buffer and position in locals; the caller reserves room for a whole line.
 */

const SCALE = 1e8;
// Below 2^52 * 1e-8 (about 4.5e7) doubles are spaced less than 1e-8 apart: each 8-decimal value is the
// only one in its double's rounding interval, so its trimmed 8-decimal form is the shortest round-trip
// form, which String picks. Below 1e-6 String switches to exponent notation.
const FAST_LIMIT = 4e7;
const FAST_FLOOR = 1e-6;
const ZERO = 48;
const HEX = new TextEncoder().encode('0123456789abcdef');

/** The most bytes putNumber writes: String of a double is at most 25 characters (-0.0000012345678901234567). */
export const MAX_NUMBER_BYTES = 25;

/** ASCII text as bytes. */
export const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** Copies `value` to `at`. */
export function putBytes(buffer: Uint8Array, at: number, value: Uint8Array): number {
  const n = value.length;
  // Measured: a loop beats set()'s call overhead up to about sixteen bytes.
  if (n > 16) buffer.set(value, at);
  else for (let i = 0; i < n; i++) buffer[at + i] = value[i]!;
  return at + n;
}

/** ASCII text at `at`. */
export function putText(buffer: Uint8Array, at: number, value: string): number {
  const n = value.length;
  for (let i = 0; i < n; i++) buffer[at + i] = value.charCodeAt(i);
  return at + n;
}

/** An integer in [0, 1e8), unpadded. */
function putSmall(buffer: Uint8Array, at: number, value: number): number {
  let rest = value | 0;
  let digits = 1;
  for (let v = rest; v >= 10; v = (v / 10) | 0) digits++;
  let i = at + digits;
  do {
    const next = (rest / 10) | 0;
    buffer[--i] = ZERO + rest - next * 10;
    rest = next;
  } while (rest > 0);
  return at + digits;
}

/** An integer in [0, 1e8) as exactly 8 digits. */
function putPadded8(buffer: Uint8Array, at: number, value: number): number {
  let rest = value | 0;
  for (let i = at + 7; i >= at; i--) {
    const next = (rest / 10) | 0;
    buffer[i] = ZERO + rest - next * 10;
    rest = next;
  }
  return at + 8;
}

/** A non-negative integer below 2^53, in decimal (int32 arithmetic on 8-digit pieces). */
export function putInteger(buffer: Uint8Array, at: number, value: number): number {
  if (value < 1e8) return putSmall(buffer, at, value);
  const high = Math.floor(value / 1e8);
  return putPadded8(buffer, putInteger(buffer, at, high), value - high * 1e8);
}

/**
 * Exactly the characters of `String(x)` (NaN writes nothing): built with integer arithmetic for a value
 * of up to 8 decimals between 1e-6 and 4e7 (exchange prices, sizes), String itself otherwise.
 */
export function putNumber(buffer: Uint8Array, at: number, x: number): number {
  if (Number.isNaN(x)) return at;
  if (x === 0) {
    buffer[at] = ZERO;
    return at + 1;
  }
  const magnitude = x < 0 ? -x : x;
  const scaled = Math.round(magnitude * SCALE);
  if (!(magnitude < FAST_LIMIT && magnitude >= FAST_FLOOR) || scaled / SCALE !== magnitude)
    return putText(buffer, at, String(x));
  if (x < 0) buffer[at++] = 45;
  // Both parts fit in int32: the whole part is below 4e7, the fraction below 1e8.
  const whole = Math.floor(scaled / SCALE);
  let fraction = (scaled - whole * SCALE) | 0;
  at = putSmall(buffer, at, whole);
  if (fraction === 0) return at;
  let decimals = 8;
  while (fraction % 10 === 0) {
    fraction = (fraction / 10) | 0;
    decimals--;
  }
  buffer[at] = 46;
  for (let i = at + decimals; i > at; i--) {
    const next = (fraction / 10) | 0;
    buffer[i] = ZERO + fraction - next * 10;
    fraction = next;
  }
  return at + decimals + 1;
}

/** Eight lowercase hex digits of a 32-bit unsigned value. */
export function putHex32(buffer: Uint8Array, at: number, value: number): number {
  for (let i = 0; i < 8; i++) buffer[at + i] = HEX[(value >>> (28 - 4 * i)) & 15]!;
  return at + 8;
}

/** A growable byte buffer: reserve room, write with the put functions, then set `length`. */
export class ByteSink {
  buffer: Uint8Array<ArrayBuffer>;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Makes room for `bytes` more and returns the buffer to write into (it may have moved). */
  reserve(bytes: number): Uint8Array<ArrayBuffer> {
    if (this.length + bytes > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer;
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
