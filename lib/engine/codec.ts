import { MjolnirError } from '../core/index.js';

// JSON has no NaN, Infinity or -0; these tags keep them exact through a round trip.
const SPECIAL_NUMBERS: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};
const TAG = '$num';

function encodeNumber(value: number): unknown {
  if (Number.isFinite(value) && !Object.is(value, -0)) return value;
  return { [TAG]: Object.is(value, -0) ? '-0' : String(value) };
}

/** JSON text in which every number, NaN, ±Infinity and -0 included, survives `decodeJson` bit-for-bit. */
export function encodeJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    function replacer(this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      return typeof raw === 'number' ? encodeNumber(raw) : v;
    },
    indent,
  );
}

/** Parses text written by `encodeJson`. */
export function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text, (_key, v: unknown) => {
      if (typeof v === 'object' && v !== null && TAG in v) {
        const tag = (v as Record<string, unknown>)[TAG];
        if (typeof tag === 'string' && tag in SPECIAL_NUMBERS) return SPECIAL_NUMBERS[tag];
        throw new MjolnirError('state_corrupt', `unknown number tag ${JSON.stringify(tag)}`);
      }
      return v;
    });
  } catch (error) {
    if (error instanceof MjolnirError) throw error;
    throw new MjolnirError('state_corrupt', `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** FNV-1a (64-bit) of a string, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** A hash of a value that ignores key order (same data, same hash). */
export function stableHash(value: unknown): string {
  return fnv1a64(encodeJson(canonical(value)));
}
