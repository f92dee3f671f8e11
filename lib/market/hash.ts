import { LITTLE_ENDIAN } from '../core/platform.js';
import type { Bar } from './bar.js';

const doubles = new Float64Array(1);
const words = new Uint32Array(doubles.buffer);
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

/**
 * A 64-bit fingerprint of a bar's close time and exact values (their IEEE-754 bits, the same on any
 * machine), as two 32-bit MurmurHash3 lanes with different seeds and word orders (lane A takes each
 * double's high word first, lane B its low word), written into `lanes` without allocating. barHash
 * is its text.
 */
export function barHashLanes(bar: Bar, lanes: Uint32Array): void {
  let a = 0x9747b28c;
  let b = 0x2f6b1e53;
  // Twelve 32-bit blocks per lane. MurmurHash3's block mix is written out for both lanes, with no
  // helper call: this runs for every decision row, and whether V8 inlines a helper here depends on
  // where the row is written from.
  for (let block = 0; block < 12; block++) {
    const field = block >> 1;
    if ((block & 1) === 0)
      doubles[0] =
        field === 0
          ? bar.ts
          : field === 1
            ? bar.open
            : field === 2
              ? bar.high
              : field === 3
                ? bar.low
                : field === 4
                  ? bar.close
                  : bar.volume;
    const first = (block & 1) === 0;
    let ka = Math.imul(words[first ? HIGH : LOW]!, C1);
    let kb = Math.imul(words[first ? LOW : HIGH]!, C1);
    ka = Math.imul((ka << 15) | (ka >>> 17), C2);
    kb = Math.imul((kb << 15) | (kb >>> 17), C2);
    a ^= ka;
    b ^= kb;
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
