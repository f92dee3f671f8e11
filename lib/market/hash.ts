import { LITTLE_ENDIAN } from '../core/index.js';
import type { Bar } from './bar.js';

// The high and low 32 bits of a double, wherever the machine keeps them.
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LOW = 1 - HIGH;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX[value >>> 24]! + HEX[(value >>> 16) & 255]! + HEX[(value >>> 8) & 255]! + HEX[value & 255]!;
}

// MurmurHash3 (x86, 32-bit) block constants.
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const N = 0xe6546b64;

/** MurmurHash3's finalisation over `bytes` of input. */
function finish(hash: number, bytes: number): number {
  let h = hash ^ bytes;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A bar's six values, and their 32-bit words, for barHashLanes. */
const fields = new Float64Array(6);
const fieldWords = new Uint32Array(fields.buffer);

/**
 * A 64-bit fingerprint of a bar's close time and exact values (their IEEE-754 bits, the same on any
 * machine), as two 32-bit MurmurHash3 lanes with different seeds and word orders (lane A takes each
 * double's high word first, lane B its low word), written into `lanes` without allocating. barHash
 * is its text.
 */
export function barHashLanes(bar: Bar, lanes: Uint32Array): void {
  fields[0] = bar.ts;
  fields[1] = bar.open;
  fields[2] = bar.high;
  fields[3] = bar.low;
  fields[4] = bar.close;
  fields[5] = bar.volume;
  hashFields(lanes);
}

/**
 * barHashLanes of the bar whose six values (ts, open, high, low, close, volume) are `values[k]`,
 * `values[k + stride]`, ... (a batch's lanes: the journal writer hashes without a bar object).
 */
export function barHashLanesAt(values: Float64Array, k: number, stride: number, lanes: Uint32Array): void {
  fields[0] = values[k]!;
  fields[1] = values[k + stride]!;
  fields[2] = values[k + 2 * stride]!;
  fields[3] = values[k + 3 * stride]!;
  fields[4] = values[k + 4 * stride]!;
  fields[5] = values[k + 5 * stride]!;
  hashFields(lanes);
}

/** barHash of the bar in a batch's lanes (see barHashLanesAt). */
export function barHashAt(values: Float64Array, k: number, stride: number): string {
  barHashLanesAt(values, k, stride, lanes);
  return hex32(lanes[0]!) + hex32(lanes[1]!);
}

/** The two lanes of the six values in `fields`. */
function hashFields(lanes: Uint32Array): void {
  let a = 0x9747b28c;
  let b = 0x2f6b1e53;
  // Twelve 32-bit blocks per lane, two per value. A block's scramble does not depend on the lane, so
  // each word is scrambled once for both. The mixing is written out, with no helper call: this runs
  // for every decision row, and whether V8 inlines a helper here depends on where the row is written.
  for (let w = 0; w < 12; w += 2) {
    let high = Math.imul(fieldWords[w + HIGH]!, C1);
    let low = Math.imul(fieldWords[w + LOW]!, C1);
    high = Math.imul((high << 15) | (high >>> 17), C2);
    low = Math.imul((low << 15) | (low >>> 17), C2);
    a ^= high;
    b ^= low;
    a = (Math.imul((a << 13) | (a >>> 19), 5) + N) | 0;
    b = (Math.imul((b << 13) | (b >>> 19), 5) + N) | 0;
    a ^= low;
    b ^= high;
    a = (Math.imul((a << 13) | (a >>> 19), 5) + N) | 0;
    b = (Math.imul((b << 13) | (b >>> 19), 5) + N) | 0;
  }
  lanes[0] = finish(a, 48);
  lanes[1] = finish(b, 48);
}

const lanes = new Uint32Array(2);

/**
 * A 64-bit fingerprint (16 hex digits) of a bar's close time and exact values: two runs that saw
 * the same bar have the same hash, so "different bars" and "different logic" are told apart.
 */
export function barHash(bar: Bar): string {
  barHashLanes(bar, lanes);
  return hex32(lanes[0]!) + hex32(lanes[1]!);
}
