import type { Bar } from './bar.js';

const scratch = new DataView(new ArrayBuffer(8));

function mix(hash: number, value: number): number {
  scratch.setFloat64(0, value);
  let h = hash;
  for (let i = 0; i < 8; i++) h = Math.imul(h ^ scratch.getUint8(i), 16777619) >>> 0;
  return h;
}

/**
 * A 64-bit fingerprint (16 hex digits) of a bar's close time and exact values: two runs that saw
 * the same bar have the same hash, so "different bars" and "different logic" are told apart.
 */
export function barHash(bar: Bar): string {
  let a = 2166136261;
  let b = 0x9747b28c;
  for (const value of [bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume]) {
    a = mix(a, value);
    b = mix(b ^ 0x5bd1e995, value);
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
