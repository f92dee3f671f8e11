import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../market/index.js';
import { allocateSeries, type BarSeries, storeBar } from '../market/index.js';
import { type EngineContext, RUNNING, sameContext, WARMUP } from './advance.js';
import type { HostSkipReason } from './decision.js';
import { createEngine } from './engine.js';
import { StepOutput } from './output.js';
import { replay } from './replay.js';
import type { EngineSpec } from './spec.js';
import { markToMarket } from './state.js';
import { StepLog } from './step-log.js';
import { contextAt, seriesArbitrary, specArbitrary } from './test-support/arbitraries.js';

function seriesOf(bars: readonly Bar[]): BarSeries {
  const series = allocateSeries(bars.length);
  bars.forEach((bar, i) => {
    storeBar(series, i, bar);
  });
  return series;
}

/** Everything a step reports, as comparable text (NaN, ±Infinity and -0 kept apart). */
function describeOutput(out: StepOutput): string {
  return JSON.stringify({ ...out, events: out.events }, (_, v) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))
      ? `n:${Object.is(v, -0) ? '-0' : v}`
      : v,
  );
}

/** Bar by bar with `advance`: each output, with equity checked against markToMarket of the state then. */
function barByBar(spec: EngineSpec, bars: readonly Bar[], context: (ts: number) => EngineContext) {
  const engine = createEngine(spec);
  const state = engine.init();
  const out = new StepOutput();
  const rows: string[] = [];
  for (const bar of bars) {
    engine.advance(state, bar, context(bar.ts), out);
    if (out.accepted) expect(out.equity).toBe(markToMarket(spec.initialCapital, state, out.close));
    rows.push(describeOutput(out));
  }
  return { rows, state: engine.serialize(state) };
}

describe('decide: runs of bars', () => {
  it('decides runs cut anywhere, under changing contexts, exactly as advance bar by bar', () => {
    fc.assert(
      fc.property(
        specArbitrary,
        seriesArbitrary,
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (spec, bars, runLengths, warmupFirst) => {
          // Kill-switch patterns by bar time, and optionally a warmup before the 30th bar.
          const context = (ts: number): EngineContext =>
            warmupFirst && ts < bars[0]!.ts + 30 * spec.timeframe.ms ? WARMUP : contextAt(ts);
          const expected = barByBar(spec, bars, context);
          const engine = createEngine(spec);
          const state = engine.init();
          const series = seriesOf(bars);
          const log = new StepLog(40);
          const out = new StepOutput();
          const rows: string[] = [];
          let k = 0;
          for (let from = 0; from < bars.length; ) {
            const first = context(bars[from]!.ts);
            let to = Math.min(bars.length, from + runLengths[k++ % runLengths.length]!);
            for (let i = from + 1; i < to; i++) if (!sameContext(context(bars[i]!.ts), first)) to = i;
            engine.decide(state, series, from, to, first, log);
            expect(log.count).toBe(to - from);
            for (let r = 0; r < log.count; r++) rows.push(describeOutput(log.toOutput(r, out)));
            from = to;
          }
          expect(rows).toEqual(expected.rows);
          expect(engine.serialize(state)).toBe(expected.state);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('replays in runs as bar by bar, host skips included', () => {
    fc.assert(
      fc.property(
        specArbitrary,
        seriesArbitrary,
        fc.array(fc.nat(), { maxLength: 8 }),
        (spec, bars, picks) => {
          const series = seriesOf(bars);
          const reasons: HostSkipReason[] = ['fetch_failed', 'persist_failed'];
          // Host skips on some bars' slots and on slots between bars.
          const hostSkips = new Map<number, HostSkipReason>();
          for (const pick of picks) {
            const bar = bars[pick % bars.length]!;
            hostSkips.set(bar.ts + (pick % 2) * spec.timeframe.ms, reasons[pick % 2]!);
          }
          const visits = (barByBar: boolean) => {
            const engine = createEngine(spec);
            const state = engine.init();
            const seen: string[] = [];
            replay(engine, state, { series, hostSkips, contextAt, barByBar }, (out, index) =>
              seen.push(`${index} ${describeOutput(out)}`),
            );
            return { seen, state: engine.serialize(state) };
          };
          expect(visits(false)).toEqual(visits(true));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('replays in runs bounded by contextChange as bar by bar asking contextAt every bar', () => {
    const contexts: EngineContext[] = [RUNNING, { killSwitch: true, flatten: false }, WARMUP, RUNNING];
    contexts.push({ killSwitch: true, flatten: true });
    fc.assert(
      fc.property(
        specArbitrary,
        seriesArbitrary,
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        (spec, bars, offsets) => {
          const series = seriesOf(bars);
          // Context changes at some slots (some between bars, some on none at all); the same
          // context may follow itself.
          const changes = [...new Set(offsets.map((k) => bars[0]!.ts + k * spec.timeframe.ms))].sort(
            (a, b) => a - b,
          );
          const contextAt = (ts: number) => contexts[changes.filter((c) => c <= ts).length % 5]!;
          const contextChange = (ts: number) => changes.find((c) => c > ts) ?? Number.POSITIVE_INFINITY;
          const visits = (inputs: { contextChange?: (ts: number) => number; barByBar?: boolean }) => {
            const engine = createEngine(spec);
            const state = engine.init();
            const seen: string[] = [];
            replay(engine, state, { series, contextAt, ...inputs }, (out, index) =>
              seen.push(`${index} ${describeOutput(out)}`),
            );
            return { seen, state: engine.serialize(state) };
          };
          expect(visits({ contextChange })).toEqual(visits({ barByBar: true }));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a run longer than its log, before deciding anything', () => {
    const spec = fc.sample(specArbitrary, { numRuns: 1, seed: 1 })[0]!;
    const bars = fc.sample(seriesArbitrary, { numRuns: 1, seed: 2 })[0]!;
    const engine = createEngine(spec);
    const state = engine.init();
    const before = engine.serialize(state);
    expect(() => engine.decide(state, seriesOf(bars), 0, 5, RUNNING, new StepLog(4))).toThrow(
      /cannot decide bars \[0, 5\) of \d+ into a log of 4 rows/,
    );
    expect(engine.serialize(state)).toBe(before);
  });
});
