import { describe, expect, it } from 'vitest';
import { Random } from '../market/index.js';
import { DRIFT_PSI, featureDrift, freshness, MODERATE_PSI, psi, validateOos } from './monitors.js';

const normal = (seed: number, n: number, mean = 0, sd = 1) => {
  const r = new Random(seed);
  return Float64Array.from({ length: n }, () => mean + sd * r.normal());
};

describe('out-of-sample validation', () => {
  const train = { start_ts: 1_000, end_ts: 2_000 };
  it('passes a window after the training window and one before it', () => {
    expect(validateOos(train, { start_ts: 2_001, end_ts: 3_000 }).ok).toBe(true);
    expect(validateOos(train, { start_ts: 0, end_ts: 999 }).ok).toBe(true);
  });
  it('fails any overlap, a single shared bar included, naming the shared span', () => {
    const touching = validateOos(train, { start_ts: 2_000, end_ts: 3_000 });
    expect(touching.ok).toBe(false);
    expect(touching.message).toContain('OVERLAP');
    expect(validateOos(train, { start_ts: 1_500, end_ts: 1_600 }).ok).toBe(false);
    expect(validateOos(train, { start_ts: 0, end_ts: 5_000 }).ok).toBe(false);
  });
  it('refuses a window that ends before it starts', () => {
    expect(() => validateOos(train, { start_ts: 10, end_ts: 5 })).toThrow(/ends/);
  });
});

describe('PSI', () => {
  it('is near zero for the same distribution, moderate for a small shift, drift for a large one', () => {
    const reference = normal(1, 5_000);
    expect(psi(reference, normal(2, 5_000))).toBeLessThan(MODERATE_PSI);
    const moderate = psi(reference, normal(3, 5_000, 0.45));
    expect(moderate).toBeGreaterThanOrEqual(MODERATE_PSI);
    expect(moderate).toBeLessThanOrEqual(DRIFT_PSI);
    expect(psi(reference, normal(4, 5_000, 0, 3))).toBeGreaterThan(DRIFT_PSI);
  });
  it('stays finite when live values leave bins empty (smoothed)', () => {
    const value = psi(
      normal(1, 1_000),
      Float64Array.from({ length: 1_000 }, () => 50),
    );
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(DRIFT_PSI);
  });
  it('scores each feature of a matrix and levels it', () => {
    const rows = 2_000;
    const matrix = (a: Float64Array, b: Float64Array) => {
      const x = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        x[r * 2] = a[r]!;
        x[r * 2 + 1] = b[r]!;
      }
      return { x, rows };
    };
    const scores = featureDrift(
      ['steady', 'moved'],
      matrix(normal(1, rows), normal(2, rows)),
      matrix(normal(3, rows), normal(4, rows, 2)),
    );
    expect(scores.map((s) => [s.feature, s.level])).toEqual([
      ['steady', 'ok'],
      ['moved', 'drift'],
    ]);
  });
});

describe('freshness', () => {
  const BAR = 300_000;
  const last = 1_000 * BAR;
  it('counts closed bars after the newest stored one', () => {
    expect(freshness(last, last + 3 * BAR + 10, BAR, 3)).toEqual({
      lastTs: last,
      behindBars: 3,
      stale: false,
    });
    expect(freshness(last, last + 4 * BAR, BAR, 3).stale).toBe(true);
    expect(freshness(null, last, BAR, 3)).toEqual({
      lastTs: null,
      behindBars: Number.POSITIVE_INFINITY,
      stale: true,
    });
  });
});
