import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../core/index.js';
import type { Bar } from '../market/index.js';
import { RUNNING, WARMUP } from './advance.js';
import type { Decision, Trade } from './decision.js';
import { createEngine } from './engine.js';
import { decisionsOf, StepOutput } from './output.js';
import { markToMarket } from './state.js';
import { bar, scriptedSpec, T0, TF } from './test-support/scripted.js';

type SpecOptions = Parameters<typeof scriptedSpec>[0];

function run(bars: Bar[], options: SpecOptions = {}, context = RUNNING) {
  const engine = createEngine(scriptedSpec(options));
  let state = engine.init();
  const decisions: Decision[] = [];
  const trades: Trade[] = [];
  for (const b of bars) {
    const result = engine.step(state, b, context);
    state = result.state;
    decisions.push(...result.decisions);
    trades.push(...result.tradeEvents.filter((e): e is Trade => e.kind === 'close'));
  }
  return { engine, state, decisions, trades };
}

const summary = (d: Decision) => `${d.action}/${d.reason}/${d.position}`;

describe('sequencing', () => {
  it('skips warmup bars as not_enough_bars, then evaluates every bar', () => {
    const { decisions } = run([bar(0, 100), bar(1, 100), bar(2, 100), bar(3, 100)], { warmup: 3 });
    expect(decisions.map(summary)).toEqual([
      'skip/not_enough_bars/flat',
      'skip/not_enough_bars/flat',
      'hold/no_signal/flat',
      'hold/no_signal/flat',
    ]);
  });

  it('feeds warmup bars to the state without ever trading on them', () => {
    const engine = createEngine(scriptedSpec());
    let state = engine.init();
    for (const [i, signal] of [
      [0, 0],
      [1, 1],
      [2, 3],
      [3, 1],
    ] as const) {
      const result = engine.step(state, bar(i, 100, signal), WARMUP);
      expect(result.decisions.map(summary)).toEqual(['skip/not_enough_bars/flat']);
      state = result.state;
    }
    expect(state.validBars).toBe(4);
    expect(engine.step(state, bar(4, 100, 1)).decisions.map(summary)).toEqual([
      'enter_long/entry_signal/long',
    ]);
  });

  it('gives each empty slot a bar_missing decision and the bar after a gap cadence_failed', () => {
    const { decisions } = run([bar(0, 100), bar(1, 100), bar(4, 100, 1), bar(5, 100)]);
    expect(decisions.map((d) => [d.ts_ms - T0, summary(d)])).toEqual([
      [0, 'skip/not_enough_bars/flat'],
      [TF.ms, 'hold/no_signal/flat'],
      [2 * TF.ms, 'skip/bar_missing/flat'],
      [3 * TF.ms, 'skip/bar_missing/flat'],
      // The entry signal on the first bar after the gap is not taken: its features span the gap.
      [4 * TF.ms, 'skip/cadence_failed/flat'],
      [5 * TF.ms, 'hold/no_signal/flat'],
    ]);
  });

  it('refuses duplicate and out-of-order bars without deciding them', () => {
    const engine = createEngine(scriptedSpec());
    let state = engine.init();
    state = engine.step(state, bar(0, 100)).state;
    state = engine.step(state, bar(1, 100)).state;
    const duplicate = engine.step(state, bar(1, 101));
    expect(duplicate.rejected).toBe('duplicate');
    expect(duplicate.decisions).toEqual([]);
    const older = engine.step(state, bar(0, 100));
    expect(older.rejected).toBe('out_of_order');
    expect(older.state.lastTs).toBe(state.lastTs);
  });

  it('skips bars with unusable values as bar_invalid and does not feed them to the features', () => {
    const { decisions, state } = run([
      bar(0, 100),
      bar(1, Number.NaN),
      bar(2, 100, 0, { high: 90, low: 95 }),
      bar(3, 100),
      bar(4, 100),
    ]);
    expect(decisions.map(summary)).toEqual([
      'skip/not_enough_bars/flat',
      'skip/bar_invalid/flat',
      'skip/bar_invalid/flat',
      // The features of bar 3 span the two unusable bars, like a gap.
      'skip/cadence_failed/flat',
      'hold/no_signal/flat',
    ]);
    expect(state.validBars).toBe(3);
  });

  it('records host skips (fetch_failed) as the slot decision, and the next bar as cadence_failed', () => {
    const engine = createEngine(scriptedSpec());
    const state = engine.init();
    const out = new StepOutput();
    engine.advance(state, bar(0, 100), RUNNING, out);
    engine.advance(state, bar(1, 100), RUNNING, out);
    engine.skipSlot(state, T0 + 2 * TF.ms, 'fetch_failed', out);
    expect([out.accepted, out.ts - T0]).toEqual([true, 2 * TF.ms]);
    engine.advance(state, bar(3, 100, 1), RUNNING, out);
    expect(decisionsOf(out, TF.ms).map(summary)).toEqual(['skip/cadence_failed/flat']);
    const result = engine.step(state, bar(4, 100, 1));
    expect(result.decisions.map(summary)).toEqual(['enter_long/entry_signal/long']);
    expect(engine.skipSlot(state, T0 + 2 * TF.ms, 'persist_failed', out).accepted).toBe(false);
  });

  it('throws on a bar close that is not aligned to the timeframe (a host bug)', () => {
    const engine = createEngine(scriptedSpec());
    const misaligned = { ...bar(0, 100), ts: (T0 + 1000) as Bar['ts'] };
    expect(() => engine.step(engine.init(), misaligned)).toThrow(/not aligned to 5m/);
  });
});

describe('positions, fills and stops', () => {
  it('enters and exits at the close, with fees netted from the trade PnL', () => {
    const { decisions, trades } = run([bar(0, 100), bar(1, 100, 1), bar(2, 104), bar(3, 110, 3)], {
      feeBps: 10,
    });
    expect(decisions.map(summary)).toEqual([
      'skip/not_enough_bars/flat',
      'enter_long/entry_signal/long',
      'hold/in_position/long',
      'exit_long/exit_signal/flat',
    ]);
    expect(decisions[1]!.fill_price).toBe(100);
    expect(decisions[1]!.stop).toBe(95);
    expect(trades).toHaveLength(1);
    const trade = trades[0]!;
    const qty = 1000 / 100;
    expect(trade).toMatchObject({
      side: 1,
      entry_price: 100,
      exit_price: 110,
      qty,
      exit_reason: 'exit_signal',
    });
    expect(trade.entry_ts_ms).toBe(T0 + TF.ms);
    expect(trade.exit_ts_ms).toBe(T0 + 3 * TF.ms);
    expect(trade.fees).toBeCloseTo((100 * qty + 110 * qty) * 0.001, 12);
    expect(trade.pnl).toBeCloseTo(10 * qty - trade.fees, 12);
  });

  it('fixed_quantity of 1 unit: a long then a short, equity and cash to the cent as computed by hand', () => {
    const bars = [bar(0, 100), bar(1, 100, 1), bar(2, 104), bar(3, 110, 3), bar(4, 100, 2), bar(5, 90, 3)];
    const { state, trades, decisions } = run(bars, {
      feeBps: 10,
      sizing: { mode: 'fixed_quantity', quantity: 1 },
    });
    expect(decisions.map(summary)).toEqual([
      'skip/not_enough_bars/flat',
      'enter_long/entry_signal/long',
      'hold/in_position/long',
      'exit_long/exit_signal/flat',
      'enter_short/entry_signal/short',
      'exit_short/exit_signal/flat',
    ]);
    // Long 1 at 100 (fee 0.10), out at 110 (fee 0.11): +10 - 0.21. Short 1 at 100 (0.10), out at 90 (0.09): +10 - 0.19.
    expect(trades.map((t) => [t.qty, t.entry_price, t.exit_price])).toEqual([
      [1, 100, 110],
      [1, 100, 90],
    ]);
    expect(trades[0]!.fees).toBeCloseTo(0.21, 12);
    expect(trades[0]!.pnl).toBeCloseTo(9.79, 12);
    expect(trades[1]!.fees).toBeCloseTo(0.19, 12);
    expect(trades[1]!.pnl).toBeCloseTo(9.81, 12);
    expect(state.account.realizedPnl).toBeCloseTo(19.6, 12);
    expect(state.account.feesPaid).toBeCloseTo(0.4, 12);
    expect(markToMarket(10_000, state, 90)).toBeCloseTo(10_019.6, 9);
    // Mid-trade the equity marks the open unit at the close, its entry fee already paid.
    const open = run(bars.slice(0, 3), { feeBps: 10, sizing: { mode: 'fixed_quantity', quantity: 1 } });
    expect(markToMarket(10_000, open.state, 104)).toBeCloseTo(10_003.9, 9);
  });

  it('fills a long stop at the stop price, or at the open when stop-through is on and the bar opens below', () => {
    const bars = [bar(0, 100), bar(1, 100, 1), bar(2, 90, 0, { open: 93, low: 89 })];
    const plain = run(bars);
    expect(plain.decisions[2]).toMatchObject({ action: 'exit_long', reason: 'stop_hit', fill_price: 95 });
    expect(plain.trades[0]!.exit_price).toBe(95);
    const through = run(bars, { fill: { stopThrough: true } });
    expect(through.trades[0]!.exit_price).toBe(93);
    // Same lifecycle, different price: exactly what equivalence tolerates.
    expect(through.decisions.map(summary)).toEqual(plain.decisions.map(summary));
  });

  it('stops a short when the high reaches the stop', () => {
    const { decisions, trades } = run([bar(0, 100), bar(1, 100, 2), bar(2, 103, 0, { high: 106 })]);
    expect(decisions.map(summary).slice(1)).toEqual([
      'enter_short/entry_signal/short',
      'exit_short/stop_hit/flat',
    ]);
    expect(trades[0]).toMatchObject({ side: -1, entry_price: 100, exit_price: 105 });
    expect(trades[0]!.pnl).toBeCloseTo(-50, 9);
  });

  it('reverses a position on an opposite signal when shorts are allowed, and only exits when not', () => {
    const bars = [bar(0, 100), bar(1, 100, 1), bar(2, 102, 2), bar(3, 101, 3)];
    const withShorts = run(bars);
    expect(withShorts.decisions.map(summary).slice(1)).toEqual([
      'enter_long/entry_signal/long',
      'reverse_to_short/reverse_signal/short',
      'exit_short/exit_signal/flat',
    ]);
    expect(withShorts.trades.map((t) => [t.side, t.exit_reason])).toEqual([
      [1, 'reverse_signal'],
      [-1, 'exit_signal'],
    ]);
    const longOnly = run(bars, { allowShort: false });
    expect(longOnly.decisions.map(summary).slice(1)).toEqual([
      'enter_long/entry_signal/long',
      'exit_long/exit_signal/flat',
      'hold/no_signal/flat',
    ]);
  });

  it('next-open fills: same decisions and trade timestamps, prices from the next bar open', () => {
    const bars = [
      bar(0, 100),
      bar(1, 100, 1),
      bar(2, 102, 0, { open: 101 }),
      bar(3, 104, 3),
      bar(4, 106, 0, { open: 105 }),
    ];
    const atClose = run(bars, { stopDistance: 50 });
    const atOpen = run(bars, { stopDistance: 50, fill: { model: 'next_open' } });
    expect(atOpen.decisions.map(summary)).toEqual(atClose.decisions.map(summary));
    expect(atOpen.trades.map((t) => [t.entry_ts_ms, t.exit_ts_ms])).toEqual(
      atClose.trades.map((t) => [t.entry_ts_ms, t.exit_ts_ms]),
    );
    expect(atOpen.trades[0]).toMatchObject({ entry_price: 101, exit_price: 105 });
    expect(atClose.trades[0]).toMatchObject({ entry_price: 100, exit_price: 104 });
    expect(atOpen.decisions[1]!.fill_price).toBeNaN();
  });

  it('next-open: an entry filled at the open can be stopped within the same bar', () => {
    const { decisions, trades } = run([bar(0, 100), bar(1, 100, 1), bar(2, 94, 0, { open: 100, low: 93 })], {
      fill: { model: 'next_open' },
    });
    expect(decisions[2]).toMatchObject({ action: 'exit_long', reason: 'stop_hit', position: 'flat' });
    expect(trades[0]).toMatchObject({ entry_price: 100, exit_price: 95 });
  });

  it('applies slippage against the trader on every fill', () => {
    const { trades } = run([bar(0, 100), bar(1, 100, 1), bar(2, 110, 3)], { slippageBps: 100 });
    expect(trades[0]!.entry_price).toBeCloseTo(101, 12);
    expect(trades[0]!.exit_price).toBeCloseTo(108.9, 12);
  });
});

describe('kill switch and risk limits', () => {
  it('refuses entries under the kill switch and flattens when asked', () => {
    const bars = [bar(0, 100), bar(1, 100, 1)];
    const refused = run(bars, {}, { killSwitch: true, flatten: false });
    expect(refused.decisions[1]).toMatchObject({ action: 'hold', reason: 'kill_switch', position: 'flat' });

    const engine = createEngine(scriptedSpec());
    let state = engine.step(engine.init(), bars[0]!).state;
    state = engine.step(state, bars[1]!).state;
    const flattened = engine.step(state, bar(2, 101), { killSwitch: true, flatten: true });
    expect(flattened.decisions[0]).toMatchObject({
      action: 'exit_long',
      reason: 'kill_switch_flatten',
      position: 'flat',
    });
    const kept = engine.step(state, bar(2, 101), { killSwitch: true, flatten: false });
    expect(kept.decisions[0]).toMatchObject({ action: 'hold', reason: 'in_position', position: 'long' });
  });

  it('refuses entries over the order or position notional limits', () => {
    const bars = [bar(0, 100), bar(1, 100, 1)];
    expect(run(bars, { risk: { maxOrderNotional: 999 } }).decisions[1]!.reason).toBe('risk_max_order');
    expect(run(bars, { risk: { maxPositionNotional: 500 } }).decisions[1]!.reason).toBe('risk_max_position');
    expect(run(bars, { risk: { maxOrderNotional: 1000 } }).decisions[1]!.action).toBe('enter_long');
  });

  it('stops new entries for the rest of the UTC day after the daily loss limit, and resumes the next day', () => {
    const day = 86_400_000;
    const lossDay = [bar(0, 100), bar(1, 100, 1), bar(2, 90, 3), bar(3, 90, 1)];
    const { decisions } = run(lossDay, { risk: { dailyLossLimit: 50 } });
    expect(decisions[3]).toMatchObject({ action: 'hold', reason: 'risk_daily_loss' });
    const nextDayIndex = Math.ceil((day - ((T0 + 3 * TF.ms) % day)) / TF.ms) + 3;
    const engine = createEngine(scriptedSpec({ risk: { dailyLossLimit: 50 } }));
    let state = engine.init();
    for (const b of lossDay) state = engine.step(state, b).state;
    state = engine.step(state, bar(nextDayIndex - 1, 90)).state;
    expect(engine.step(state, bar(nextDayIndex, 90, 1)).decisions.at(-1)).toMatchObject({
      action: 'enter_long',
    });
  });

  it('counts a next-open exit filled on the first bar of a day in that day, not the day it was decided', () => {
    const day = 86_400_000;
    const k = Math.ceil((day - (T0 % day)) / TF.ms); // the first bar closing in the next UTC day
    const bars = [
      bar(k - 5, 100),
      bar(k - 4, 100),
      bar(k - 3, 100, 1), // enter, filled at the next open (100)
      bar(k - 2, 100),
      bar(k - 1, 90, 3), // exit decided on the last bar of the day...
      bar(k, 90), // ...filled at this open (90): a loss of 100, in the new day
      bar(k + 1, 90, 1),
    ];
    const spec = { fill: { model: 'next_open' as const }, stopDistance: 50 };
    const limited = run(bars, { ...spec, risk: { dailyLossLimit: 50 } });
    expect(limited.trades).toHaveLength(1);
    expect(limited.trades[0]!.pnl).toBeCloseTo(-100, 9);
    expect(limited.decisions.at(-1)).toMatchObject({ action: 'hold', reason: 'risk_daily_loss' });
    const unlimited = run(bars, spec);
    expect(unlimited.decisions.at(-1)).toMatchObject({ action: 'enter_long', reason: 'entry_signal' });
  });

  it('refuses a reversal that would exceed the order rate, still exiting', () => {
    const bars = [bar(0, 100), bar(1, 100, 1), bar(2, 102, 2)];
    const { decisions } = run(bars, { risk: { maxOrdersPerMinute: 1 } });
    expect(decisions[2]).toMatchObject({ action: 'exit_long', reason: 'risk_order_rate', position: 'flat' });
  });
});

describe('state', () => {
  it('step is pure: the input state is not modified', () => {
    const engine = createEngine(scriptedSpec());
    const state = engine.step(engine.init(), bar(0, 100)).state;
    const before = engine.serialize(state);
    engine.step(state, bar(1, 100, 1));
    expect(engine.serialize(state)).toBe(before);
  });

  it('refuses to restore a state saved under a different configuration, or a damaged one', () => {
    const engine = createEngine(scriptedSpec());
    const saved = engine.serialize(engine.step(engine.init(), bar(0, 100)).state);
    const other = createEngine(scriptedSpec({ feeBps: 5 }));
    expect(() => other.restore(saved)).toThrow(/another configuration/);
    try {
      other.restore(saved);
    } catch (error) {
      expect(hasErrorCode(error, 'state_incompatible')).toBe(true);
    }
    expect(() => engine.restore(saved.replace('"validBars":1', '"validBars":-1'))).toThrow(/validBars/);
    expect(() => engine.restore(saved.slice(0, -5))).toThrow(/not valid JSON/);
  });
});
