/** The market's rules in the engine: quantities cut to the step (never up), stops on the tick, refusals. */
import { describe, expect, it } from 'vitest';
import type { MarketRules } from '../market/index.js';
import { RUNNING } from './advance.js';
import type { Decision, OpenEvent } from './decision.js';
import { createEngine } from './engine.js';
import { bar, scriptedSpec } from './test-support/scripted.js';

const RULES: MarketRules = {
  amountStep: '0.00001',
  minAmount: '0.00001',
  priceTick: '0.01',
  minNotional: '5',
};

function run(closes: number[], signals: number[], spec: ReturnType<typeof scriptedSpec>) {
  const engine = createEngine(spec);
  let state = engine.init();
  const decisions: Decision[] = [];
  const opens: OpenEvent[] = [];
  closes.forEach((close, i) => {
    const result = engine.step(state, { ...bar(i, close), volume: signals[i] ?? 0 }, RUNNING);
    state = result.state;
    decisions.push(...result.decisions);
    opens.push(...result.tradeEvents.filter((e): e is OpenEvent => e.kind === 'open'));
  });
  return { decisions, opens, state };
}

describe("the market's rules", () => {
  it('cut the quantity down to the step and set the stop on the tick; the position holds what was filled', () => {
    const spec = { ...scriptedSpec({ stopDistance: 123.456789 }), marketRules: RULES };
    const { opens, state } = run([100, 100, 25_823.17], [0, 0, 1], spec);
    // 1000 / 25,823.17 = 0.0387249...: 0.03872, never 0.03873.
    expect(opens.map((o) => o.qty)).toEqual([0.03872]);
    expect(state.position.qty).toBe(0.03872);
    expect(state.position.stop).toBe(25_699.71); // 25,823.17 - 123.456789 = 25,699.713211 on the 0.01 tick
    const without = run([100, 100, 25_823.17], [0, 0, 1], scriptedSpec({ stopDistance: 123.456789 }));
    expect(without.opens[0]!.qty).toBeCloseTo(1000 / 25_823.17, 12);
  });

  it('refuse an entry under the minimum value or amount, with its own reason', () => {
    const value = run([100, 100, 100], [0, 0, 1], {
      ...scriptedSpec({ sizing: { mode: 'fixed_notional', notional: 4 } }),
      marketRules: RULES,
    });
    expect(value.decisions.at(-1)).toMatchObject({ action: 'hold', reason: 'below_min_notional' });
    const amount = run([100, 100, 100], [0, 0, 2], {
      ...scriptedSpec({ sizing: { mode: 'fixed_quantity', quantity: 0.000009 } }),
      marketRules: RULES,
    });
    expect(amount.decisions.at(-1)).toMatchObject({ action: 'hold', reason: 'below_min_amount' });
    expect(amount.opens).toHaveLength(0);
  });
});
