import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, streamsOf } from '../config/index.js';
import { type BarSeries, generateSeries, sliceSeries } from '../market/index.js';
import { createStrategy } from '../strategy/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { selectBackend } from './backend.js';
import { buildDataset, type Dataset, describeDropped } from './dataset.js';
import { checkDatasetLookahead } from './lookahead.js';
import { validateOos } from './monitors.js';
import { DEFAULT_HYPERPARAMETERS } from './network.js';
import { trainModel } from './pipeline.js';
import { walkForward } from './walk-forward.js';

const TF = timeframe('5m');
const SERIES = generateSeries({ seed: 8, timeframe: TF, startTs: tsMs(Date.UTC(2024, 0, 1) + TF.ms) }, 3000);
const strategy = () => createStrategy('ema_cross_atr', { fast: 5, slow: 20, atr_period: 10 });
const build = (series = SERIES, horizon = 6) =>
  buildDataset(series, strategy(), { horizon, label: 'direction', barMs: TF.ms });

describe('datasets', () => {
  it('keeps rows after the warmup, labels each with the return over the horizon, drops the last horizon bars', () => {
    const data = build();
    const warmup = strategy().stableWarmupBars;
    expect(data.features).toEqual(['ema_fast', 'ema_slow', 'atr']);
    expect(data.x).toHaveLength(data.rows * 3);
    expect(data.ts[0]).toBe(SERIES.ts[warmup]);
    expect(data.ts[data.rows - 1]).toBe(SERIES.ts[SERIES.length - 1 - 6]);
    for (const r of [0, 100, data.rows - 1]) {
      const t = SERIES.ts.indexOf(data.ts[r]!);
      expect(data.y[r]).toBe(SERIES.close[t + 6]! > SERIES.close[t]! ? 1 : 0);
      // The inputs are the features after bars <= t: a strategy fed only those bars says the same.
      const alone = buildDataset(sliceSeries(SERIES, 0, t + 7), strategy(), {
        horizon: 6,
        label: 'direction',
        barMs: TF.ms,
      });
      expect(Array.from(alone.x.subarray(alone.rows * 3 - 3))).toEqual(
        Array.from(data.x.subarray(r * 3, r * 3 + 3)),
      );
    }
    const returns = buildDataset(SERIES, strategy(), { horizon: 6, label: 'return', barMs: TF.ms });
    const t = SERIES.ts.indexOf(returns.ts[10]!);
    expect(returns.y[10]).toBe(Math.fround(SERIES.close[t + 6]! / SERIES.close[t]! - 1));
    expect(() => buildDataset(SERIES, strategy(), { horizon: 0, label: 'direction', barMs: TF.ms })).toThrow(
      /horizon/,
    );
  });

  it('proves it does not look ahead, and catches a planted peek (features normalised over the whole series)', () => {
    const cuts = [900, 1500, 2200, 2999];
    const honest = checkDatasetLookahead((s) => build(s), SERIES, cuts);
    expect(honest.violation).toBeNull();
    expect(honest.compared).toBeGreaterThan(5000);
    // The classic leak: scaling inputs by a statistic of the whole sample, future bars included.
    const leaky = (s: typeof SERIES): Dataset => {
      const data = build(s);
      let mean = 0;
      for (let i = 0; i < s.length; i++) mean += s.close[i]! / s.length;
      return { ...data, x: data.x.map((v) => v / mean) };
    };
    const caught = checkDatasetLookahead(leaky, SERIES, cuts);
    expect(caught.violation).toMatchObject({ cut: 900, column: 'ema_fast' });
    expect(caught.violation!.ts).toBe(build().ts[0]);
  });
});

/** Bar times of `n` rows with no outage. */
const BAR = 300_000;
const contiguous = (n: number) => Float64Array.from({ length: n }, (_, i) => (i + 1) * BAR);

/** SERIES with a 47-slot outage: bars [1500, 1547) are missing. */
const HOLE = { from: 1500, slots: 47 };
/** The bars of SERIES at `keep` (indices in order): the others missing, as an outage leaves them. */
function barsAt(keep: readonly number[]): BarSeries {
  const pick = (column: Float64Array) => Float64Array.from(keep, (i) => column[i]!);
  return {
    length: keep.length,
    ts: pick(SERIES.ts),
    open: pick(SERIES.open),
    high: pick(SERIES.high),
    low: pick(SERIES.low),
    close: pick(SERIES.close),
    volume: pick(SERIES.volume),
  };
}
const WITH_OUTAGE = barsAt(
  Array.from({ length: SERIES.length }, (_, i) => i).filter(
    (i) => i < HOLE.from || i >= HOLE.from + HOLE.slots,
  ),
);

describe('datasets on candles with an outage', () => {
  const data = build(WITH_OUTAGE);
  const before = SERIES.ts[HOLE.from - 1]!;
  const after = SERIES.ts[HOLE.from + HOLE.slots]!;

  it('label every row with the close exactly horizon bar lengths later, in time', () => {
    for (let r = 0; r < data.rows; r++) {
      const t = WITH_OUTAGE.ts.indexOf(data.ts[r]!);
      expect(WITH_OUTAGE.ts[t + 6]).toBe(data.ts[r]! + data.horizonMs);
    }
    expect(data.horizonMs).toBe(6 * TF.ms);
  });

  it('drop the rows whose horizon crosses the outage, and say how many and why', () => {
    // The 6 bars before the hole would read a close after it; nothing else is lost to the outage.
    const across = Array.from(data.ts).filter((ts) => ts > before - 6 * TF.ms && ts <= before);
    expect(across).toEqual([]);
    expect(data.dropped).toEqual({
      unusableBar: 0,
      invalidFeatures: 0,
      labelAcrossOutage: 6,
      labelUnknown: 6,
    });
    expect(data.rows).toBe(build().rows - HOLE.slots - 6);
    expect(describeDropped(data.dropped)).toBe('6 label horizon crosses an outage, 6 label not known yet');
    expect(data.ts).toContain(after);
  });

  it('purge in time: no training label reaches a test window, across the outage too', () => {
    const folds = walkForward(data.ts, {
      train: 400,
      test: 200,
      purgeMs: data.horizonMs,
      embargoMs: data.horizonMs,
    });
    expect(folds.length).toBeGreaterThan(3);
    // Some fold spans the outage: its windows are set in time, not rows.
    expect(folds.some((f) => data.ts[f.train.start]! < before && data.ts[f.test.end - 1]! >= after)).toBe(
      true,
    );
    for (const f of folds) {
      expect(data.ts[f.train.end - 1]! + data.horizonMs).toBeLessThan(data.ts[f.test.start]!);
      // Only the rows a label reaches are purged: the row before them would be too.
      if (f.train.end < f.test.start)
        expect(data.ts[f.train.end]! + data.horizonMs).toBeGreaterThanOrEqual(data.ts[f.test.start]!);
    }
    for (let k = 1; k < folds.length; k++) {
      const last = data.ts[folds[k - 1]!.test.end - 1]!;
      expect(data.ts[folds[k]!.test.start]!).toBeGreaterThan(last + data.horizonMs);
    }
  });
});

describe('walk-forward splits', () => {
  it('rolls training windows forward, purging before each test window and embargoing after it', () => {
    const folds = walkForward(contiguous(1000), {
      train: 300,
      test: 100,
      purgeMs: 6 * BAR,
      embargoMs: 6 * BAR,
    });
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [0, 300, 306, 406],
      [106, 406, 412, 512],
      [212, 512, 518, 618],
      [318, 618, 624, 724],
      [424, 724, 730, 830],
      [530, 830, 836, 936],
    ]);
    for (const f of folds) {
      expect(f.test.start - f.train.end).toBe(6); // purge: no training label reaches the test window
      expect(f.train.end - f.train.start).toBe(300);
    }
    for (let k = 1; k < folds.length; k++) expect(folds[k]!.test.start - folds[k - 1]!.test.end).toBe(6);
  });

  it('anchors training at the first row when asked, and refuses what cannot make a fold', () => {
    const folds = walkForward(contiguous(1000), {
      train: 300,
      test: 200,
      purgeMs: 10 * BAR,
      embargoMs: 0,
      anchored: true,
    });
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [0, 300, 310, 510],
      [0, 500, 510, 710],
      [0, 700, 710, 910],
    ]);
    expect(() => walkForward(contiguous(100), { train: 90, test: 20, purgeMs: 0, embargoMs: 0 })).toThrow(
      /too few for one fold/,
    );
    expect(() => walkForward(contiguous(100), { train: 10, test: 0, purgeMs: 0, embargoMs: 0 })).toThrow(
      /test must be/,
    );
    expect(() => walkForward(contiguous(100), { train: 10, test: 5, purgeMs: -1, embargoMs: 0 })).toThrow(
      /purge must be/,
    );
  });
});

describe('a model trained up to an outage', () => {
  it('ends its training window at the last bar a label read, and the OOS check refuses that bar', async () => {
    const series = barsAt([...Array.from({ length: 2100 }, (_, i) => i), 2147, 2148, 2149]);
    const text = readFileSync(new URL('../../configs/train-sim.yaml', import.meta.url), 'utf8');
    const parsed = parseConfig(text, join(tmpdir(), 'train.yaml'), {});
    if (!parsed.ok) throw new Error('configs/train-sim.yaml does not parse');
    const result = await trainModel({
      series,
      stream: streamsOf(parsed.value)[0]!,
      config: parsed.value,
      horizon: 6,
      folds: { train: 800, test: 400 },
      hp: { ...DEFAULT_HYPERPARAMETERS, hidden: [4], epochs: 1, batchSize: 256 },
      backend: await selectBackend('wasm'),
      threads: 1,
    });
    const lastBefore = SERIES.ts[2099]!;
    const firstAfter = SERIES.ts[2147]!;
    const train = result.manifest['train'] as { start_ts: number; end_ts: number };
    // The last 6 rows before the outage would read a close after it: dropped, and said so.
    expect(result.manifest['dataset']).toMatchObject({
      dropped: { labelAcrossOutage: 6, labelUnknown: 3 },
      horizon_ms: 6 * TF.ms,
    });
    expect(train.end_ts).toBe(lastBefore);
    expect(Array.from(series.ts)).toContain(train.end_ts);
    expect(validateOos(train, { start_ts: firstAfter, end_ts: series.ts.at(-1)! }).ok).toBe(true);
    expect(validateOos(train, { start_ts: lastBefore, end_ts: series.ts.at(-1)! }).message).toMatch(
      /^OVERLAP/,
    );
    for (const fold of result.folds) expect(fold.train.end_ts).toBeLessThan(fold.test.start_ts);
  }, 120_000);
});
