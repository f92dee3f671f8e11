import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, stableHash } from './codec.js';

describe('state codec', () => {
  it('round-trips every double bit-for-bit, NaN, ±Infinity and -0 included', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), fc.string(), (values, label) => {
        const decoded = decodeJson(encodeJson({ label, values, nested: { x: values[0] ?? -0 } })) as {
          label: string;
          values: number[];
          nested: { x: number };
        };
        expect(decoded.label).toBe(label);
        expect(decoded.values.every((v, i) => Object.is(v, values[i]))).toBe(true);
        expect(Object.is(decoded.nested.x, values[0] ?? -0)).toBe(true);
      }),
    );
  });

  it('refuses damaged text and unknown tags with a state_corrupt error', () => {
    expect(() => decodeJson('{"a": 1')).toThrow(/not valid JSON/);
    expect(() => decodeJson('{"a": {"$num": "banana"}}')).toThrow(/unknown number tag/);
  });

  it('hashes the same data the same way whatever the key order, and different data differently', () => {
    expect(stableHash({ a: 1, b: [1, 2], c: { d: Number.NaN, e: 'x' } })).toBe(
      stableHash({ c: { e: 'x', d: Number.NaN }, b: [1, 2], a: 1 }),
    );
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }));
    expect(stableHash({ a: [1, 2] })).not.toBe(stableHash({ a: [2, 1] }));
  });
});
