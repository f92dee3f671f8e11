import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reason } from '../engine/index.js';
import { sameContext } from '../engine/index.js';
import type { DecisionRow } from '../journal/index.js';
import type { TsMs } from '../time/index.js';
import { slotInputs } from './inputs.js';

const TF = 60_000;
const REASONS: Reason[] = [
  'kill_switch',
  'kill_switch_flatten',
  'fetch_failed',
  'no_signal',
  'persist_failed',
];

/** A LIVE row at slot `k` with `reason` (the other fields do not matter to slotInputs). */
const row = (k: number, reason: Reason) => ({ ts_ms: (k * TF) as TsMs, reason }) as DecisionRow;

describe("a backtest's slot inputs", () => {
  it('say where the context may change (never before contextChange), host skips in the window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 120 }), fc.constantFrom(...REASONS)), { maxLength: 40 }),
        fc.nat({ max: 120 }),
        fc.nat({ max: 120 }),
        (picks, a, b) => {
          const [start, end] = [Math.min(a, b) * TF, Math.max(a, b) * TF];
          const live = picks.map(([k, reason]) => row(k, reason));
          const { contextAt, contextChange, hostSkips } = slotInputs(live, { from: 0, start, end });
          const broken: number[] = [];
          for (let k = 0; k <= 120; k++) {
            const ts = k * TF;
            const change = contextChange(ts);
            if (!(change > ts)) broken.push(ts);
            for (let next = ts + TF; next < change && next <= 121 * TF; next += TF)
              if (!sameContext(contextAt(next), contextAt(ts))) broken.push(next);
          }
          expect(broken).toEqual([]);
          // The context: warmup before the window, LIVE's kill switch where it was on, else running.
          const last = new Map(live.map((r) => [r.ts_ms as number, r.reason]));
          const contexts = [];
          const expected = [];
          for (let k = 0; k <= 120; k++) {
            const context = contextAt(k * TF);
            const reason = last.get(k * TF);
            contexts.push(k * TF < start ? context.warmup === true : context.killSwitch);
            expected.push(k * TF < start || reason === 'kill_switch' || reason === 'kill_switch_flatten');
          }
          expect(contexts).toEqual(expected);
          for (const ts of hostSkips.keys()) expect(ts >= 0 && ts <= end).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
