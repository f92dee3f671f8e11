import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { barAt, generateSeries } from '../market/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { defineStrategy, isStrategyDefinition } from './define.js';
import { strategyFromFile } from './file.js';
import type { StrategyRules } from './types.js';

const params = z.strictObject({ bars: z.number().int().min(1).default(3) });

/** Long after `bars` rising closes in a row, out after a falling one. */
const rising = (overrides: Partial<StrategyRules<{ up: number; last: number }>> = {}) =>
  defineStrategy({
    id: 'rising',
    summary: 'n rising closes',
    params,
    features: () => ({ up: 0, last: Number.NaN }),
    rules: (p) => ({
      warmupBars: 2,
      stableWarmupBars: 2,
      allowShort: false,
      update(f, bar) {
        f.up = bar.close > f.last ? f.up + 1 : 0;
        f.last = bar.close;
      },
      valid: (f) => Number.isFinite(f.last),
      entry: (f) => (f.up >= p.bars ? 1 : 0),
      exitLong: (f) => f.up === 0,
      exitShort: () => false,
      stopDistance: () => Number.POSITIVE_INFINITY,
      describe: (f) => ({ up: f.up }),
      ...overrides,
    }),
  });

describe('defineStrategy', () => {
  it('builds a typed strategy from raw parameters, defaults applied, with fresh features each time', () => {
    const definition = rising();
    expect(isStrategyDefinition(definition)).toBe(true);
    const strategy = definition.create({ bars: 2 });
    expect(strategy).toMatchObject({ id: 'rising', params: { bars: 2 }, warmupBars: 2 });
    expect(definition.create().params).toEqual({ bars: 3 });
    const series = generateSeries(
      { seed: 5, timeframe: timeframe('1h'), startTs: tsMs(1_704_067_200_000) },
      50,
    );
    const features = strategy.createFeatures();
    for (let i = 0; i < series.length; i++) strategy.update(features, barAt(series, i));
    expect(strategy.describe(features).up).toBeGreaterThanOrEqual(0);
    expect(strategy.createFeatures()).toEqual({ up: 0, last: Number.NaN });
  });

  it('refuses what the engine could not rely on, naming the strategy and the problem', () => {
    const bad = { id: 'Bad Id', summary: '', params, features: () => ({}), rules: () => rising().create() };
    expect(() => defineStrategy(bad)).toThrow(/strategy id "Bad Id"/);
    expect(() => rising().create({ bars: 0 })).toThrow(/strategy rising: params\.bars: .*>=1/);
    expect(() => rising().create({ bars: 1, extra: 2 })).toThrow(/strategy rising: params/);
    expect(() => rising({ stableWarmupBars: 1 }).create()).toThrow(
      /stableWarmupBars must be an integer >= warmupBars \(2\)/,
    );
    expect(() => rising({ warmupBars: 0 }).create()).toThrow(/warmupBars must be a positive integer/);
    expect(() => rising({ entry: undefined as never }).create()).toThrow(
      /rules\(\) returned no entry\(\) function/,
    );
  });
});

describe('strategy files', () => {
  const dir = join(process.cwd(), 'tmp');
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'strategy-files-'));
  const write = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  const two = write(
    'two.mjs',
    `import { defineStrategy, STRATEGIES, z } from '@mjolnir/lib';
const base = STRATEGIES.sma_cross;
const copy = (id) => defineStrategy({ id, summary: id, params: z.strictObject({}), features: () => ({}), rules: () => ({}) });
export const first = copy('first_one');
export const second = copy('second_one');
export default base;
`,
  );

  it('picks the one strategy a file exports, or the one named by id among several', () => {
    expect(strategyFromFile(two, 'second_one').id).toBe('second_one');
    expect(() => strategyFromFile(two)).toThrow(
      /exports 3 strategies \(sma_cross, first_one, second_one\): name one with strategy.id/,
    );
    expect(() => strategyFromFile(two, 'third')).toThrow(/has no strategy "third"/);
  });

  it('says what is wrong with a file that exports none, does not load, or does not exist', () => {
    const none = write('none.mjs', 'export const answer = 42;\n');
    expect(() => strategyFromFile(none)).toThrow(/exports no strategy: export one made with defineStrategy/);
    const broken = write('broken.ts', 'export const = ;\n');
    expect(() => strategyFromFile(broken)).toThrow(/cannot load strategy file .*broken\.ts/);
    expect(() => strategyFromFile(join(work, 'missing.js'))).toThrow(
      /cannot load strategy file .*missing\.js/,
    );
  });
});
