import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../market/index.js';
import type { Decision, TradeEvent } from './decision.js';
import { createEngine, type Engine } from './engine.js';
import { decisionsOf, StepOutput } from './output.js';
import type { EngineSpec } from './spec.js';
import type { EngineState } from './state.js';
import { contextAt, seriesArbitrary, specArbitrary, TF } from './test-support/arbitraries.js';

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
