import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar, MutableBar } from '../market/bar.js';
import { SyntheticMarket } from '../market/synthetic.js';
import { createStrategy } from '../strategy/registry.js';
import { timeframe } from '../time/timeframe.js';
import type { TsMs } from '../time/ts.js';
import type { EngineContext } from './advance.js';
import type { Decision, TradeEvent } from './decision.js';
import { createEngine, type Engine } from './engine.js';
import { decisionsOf, StepOutput } from './output.js';
import type { EngineSpec } from './spec.js';
import type { EngineState } from './state.js';

const TF = timeframe('5m');
const START = 1_704_067_200_000 as TsMs; // 2024-01-01T00:00Z, so UTC-day risk rolls over inside runs

const STRATEGY_SETUPS = [
  ['ema_cross_atr', { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.5, trailing: true, allow_short: true }],
  ['sma_cross', { fast: 3, slow: 7, stop_pct: 0.004, allow_short: true }],
  ['rsi_reversion', { period: 5, oversold: 40, overbought: 60, exit_level: 50, atr_period: 4, atr_mult: 2 }],
] as const;

const specArbitrary = fc
  .record({
    strategy: fc.constantFrom(...STRATEGY_SETUPS),
    model: fc.constantFrom('close' as const, 'next_open' as const),
    stopThrough: fc.boolean(),
    feeBps: fc.constantFrom(0, 7.5),
    dailyLossLimit: fc.constantFrom(Number.POSITIVE_INFINITY, 15),
    maxOrdersPerMinute: fc.constantFrom(Number.POSITIVE_INFINITY, 1),
  })
  .map(
    (o): EngineSpec => ({
      timeframe: TF,
      strategy: createStrategy(o.strategy[0], o.strategy[1]),
      fill: { model: o.model, stopThrough: o.stopThrough },
      costs: { feeBps: o.feeBps, slippageBps: 1 },
      sizing: { mode: 'equity_fraction', fraction: 0.5 },
      risk: {
        maxPositionNotional: Number.POSITIVE_INFINITY,
        maxOrderNotional: Number.POSITIVE_INFINITY,
        dailyLossLimit: o.dailyLossLimit,
        maxOrdersPerMinute: o.maxOrdersPerMinute,
      },
      initialCapital: 10_000,
    }),
  );

type Fault = 'drop' | 'duplicate' | 'reorder' | 'nan' | 'infinity' | 'inverted' | 'zero';

/** Clean synthetic bars, then faults injected at random places: what a bad feed can deliver. */
const seriesArbitrary = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    length: fc.integer({ min: 10, max: 260 }),
    faults: fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom<Fault>('drop', 'duplicate', 'reorder', 'nan', 'infinity', 'inverted', 'zero'),
      }),
      { maxLength: 25 },
    ),
  })
  .map(({ seed, length, faults }) => {
    const market = new SyntheticMarket({ seed, timeframe: TF, startTs: START, annualVolatility: 1.2 });
    const bars: MutableBar[] = [];
    for (let i = 0; i < length; i++) bars.push(market.next({} as MutableBar));
    for (const { at, kind } of faults) {
      const i = at % bars.length;
      const b = bars[i]!;
      if (kind === 'drop' && bars.length > 2) bars.splice(i, 1);
      if (kind === 'duplicate') bars.splice(i + 1, 0, { ...b, close: b.close * 1.01 });
      if (kind === 'reorder' && i > 0) [bars[i - 1], bars[i]] = [b, bars[i - 1]!];
      if (kind === 'nan') b.close = Number.NaN;
      if (kind === 'infinity') b.high = Number.POSITIVE_INFINITY;
      if (kind === 'inverted') [b.high, b.low] = [b.low * 0.99, b.high * 1.01];
      if (kind === 'zero') b.open = 0;
    }
    return bars as Bar[];
  });

/** A deterministic kill-switch pattern by bar time, so two runs over the same bars see the same one. */
function contextAt(ts: number): EngineContext {
  const slot = (ts / TF.ms) % 23;
  return { killSwitch: slot < 3, flatten: slot === 1 };
}

interface Journal {
  decisions: Decision[];
  events: TradeEvent[];
}

function feed(engine: Engine, state: EngineState, bars: readonly Bar[], journal: Journal): void {
  const out = new StepOutput();
  for (const b of bars) {
    engine.advance(state, b, contextAt(b.ts), out);
    journal.decisions.push(...decisionsOf(out, TF.ms));
    journal.events.push(...out.events);
  }
}

function uninterrupted(spec: EngineSpec, bars: readonly Bar[]): Journal & { state: string } {
  const engine = createEngine(spec);
  const state = engine.init();
  const journal: Journal = { decisions: [], events: [] };
  feed(engine, state, bars, journal);
  return { ...journal, state: engine.serialize(state) };
}

describe('engine invariants over faulty bar series', () => {
  it('decides every closed slot exactly once, in strictly increasing ts_ms', () => {
    fc.assert(
      fc.property(specArbitrary, seriesArbitrary, (spec, bars) => {
        const { decisions } = uninterrupted(spec, bars);
        const first: number = bars[0]!.ts;
        const last = Math.max(...bars.map((b) => b.ts));
        const expected: number[] = [];
        for (let ts = first; ts <= last; ts += TF.ms) expected.push(ts);
        expect(decisions.map((d) => d.ts_ms)).toEqual(expected);
        for (let i = 1; i < decisions.length; i++)
          expect(decisions[i]!.ts_ms).toBeGreaterThan(decisions[i - 1]!.ts_ms);
      }),
      { numRuns: 150 },
    );
  });

  it('a run stopped anywhere, serialised to JSON and restored into a new engine, equals one uninterrupted run', () => {
    fc.assert(
      fc.property(
        specArbitrary,
        seriesArbitrary,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        (spec, bars, cutPoints) => {
          const whole = uninterrupted(spec, bars);
          const cuts = [...new Set(cutPoints.map((c) => c % (bars.length + 1)))].sort((a, b) => a - b);
          const journal: Journal = { decisions: [], events: [] };
          let saved = createEngine(spec).serialize(createEngine(spec).init());
          let from = 0;
          for (const cut of [...cuts, bars.length]) {
            // A fresh engine per segment, as after a process restart: only the JSON text carries over.
            const engine = createEngine(spec);
            const state = engine.restore(saved);
            feed(engine, state, bars.slice(from, cut), journal);
            saved = engine.serialize(state);
            from = cut;
          }
          expect(journal.decisions).toEqual(whole.decisions);
          expect(journal.events).toEqual(whole.events);
          expect(saved).toBe(whole.state);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the pure step and the in-place advance agree decision for decision', () => {
    fc.assert(
      fc.property(specArbitrary, seriesArbitrary, (spec, bars) => {
        const engine = createEngine(spec);
        let state = engine.init();
        const journal: Journal = { decisions: [], events: [] };
        for (const b of bars) {
          const result = engine.step(state, b, contextAt(b.ts));
          state = result.state;
          journal.decisions.push(...result.decisions);
          journal.events.push(...result.tradeEvents);
        }
        const whole = uninterrupted(spec, bars);
        expect(journal.decisions).toEqual(whole.decisions);
        expect(journal.events).toEqual(whole.events);
      }),
      { numRuns: 60 },
    );
  });

  it('trades are well formed: opens and closes alternate, no exit precedes its entry, PnL is finite', () => {
    fc.assert(
      fc.property(specArbitrary, seriesArbitrary, (spec, bars) => {
        const { events } = uninterrupted(spec, bars);
        let open = false;
        for (const event of events) {
          expect(event.kind).toBe(open ? 'close' : 'open');
          open = event.kind === 'open';
          if (event.kind === 'close') {
            expect(event.exit_ts_ms).toBeGreaterThanOrEqual(event.entry_ts_ms);
            expect(Number.isFinite(event.pnl)).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
