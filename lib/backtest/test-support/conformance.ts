/**
 * The host conformance suite: every host that turns bars into journals (the engine's step, the paper
 * loop's decider, the backtest inline and on worker threads) is run over the same scenarios (bars with
 * gaps, host skips, the kill switch, warmup, each sizing) and must write the same bytes as the engine's
 * pure step mapped through `decisionsOf`, an independent path to rows. A new host adds one line:
 * `describeHostConformance('my host', 'optional', myHost)`.
 */
import { describe, expect, it } from 'vitest';
import type { Decision, EngineContext, EngineSpec, HostSkipReason, TradeEvent } from '../../engine/index.js';
import { createEngine, decisionsOf, markToMarket, RUNNING, StepOutput, WARMUP } from '../../engine/index.js';
import {
  decisionLines,
  decisionRow,
  featuresCell,
  type JournalStream,
  tradeLines,
  tradeRow,
} from '../../journal/index.js';
import {
  type Bar,
  type BarSeries,
  barAt,
  barHash,
  barsFromSeries,
  firstAtOrAfter,
  generateSeries,
  seriesFromBars,
} from '../../market/index.js';
import { NO_RISK_LIMITS } from '../../risk/index.js';
import { createStrategy } from '../../strategy/index.js';
import { timeframe, tsMs } from '../../time/index.js';

const TF = timeframe('5m');
const T0 = tsMs(Date.UTC(2024, 6, 1));
const BARS = 2_400;
const WARMUP_BARS = 300;

/** What every host is given: the same bars, host skips and context per slot. */
export interface Scenario {
  readonly name: string;
  readonly spec: EngineSpec;
  readonly stream: JournalStream;
  /** Bars in order, some slots missing. */
  readonly series: BarSeries;
  /** First slot of the output window; the bars before it warm up (context WARMUP), no rows. */
  readonly start: number;
  readonly end: number;
  /** Slots the host could not fetch or store (LIVE) / LIVE did not (backtest): skipped with the reason. */
  readonly hostSkips: ReadonlyMap<number, HostSkipReason>;
  readonly contextAt: (ts: number) => EngineContext;
  /** The first close time after `ts` whose context may differ (see ReplayInputs.contextChange). */
  readonly contextChange: (ts: number) => number;
  /** Whether rows carry the features (LIVE always does; a backtest when asked). */
  readonly explain: boolean;
  /** Reasons the scenario must produce (so it tests what it says). */
  readonly shows: readonly string[];
}

/** decisions.csv and trades.csv without their headers. */
export interface JournalBytes {
  readonly decisions: string;
  readonly trades: string;
}

export type JournalHost = (scenario: Scenario) => Promise<JournalBytes>;

/** Slots in order: each bar's, and each host skip's (a skipped slot's bar, if any, is not fed). */
export function* slots(scenario: Scenario): Iterable<{ ts: number; bar: Bar | null; skip?: HostSkipReason }> {
  const times = new Set([...scenario.series.ts, ...scenario.hostSkips.keys()]);
  for (const ts of [...times].sort((a, b) => a - b)) {
    const skip = scenario.hostSkips.get(ts);
    if (skip !== undefined) yield { ts, bar: null, skip };
    else yield { ts, bar: barAt(scenario.series, firstAtOrAfter(scenario.series.ts, ts)) };
  }
}

/** The reference host: the engine's pure step (and skipSlot), its decisions mapped to rows one by one. */
export const engineStepHost: JournalHost = async (scenario) => {
  const engine = createEngine(scenario.spec);
  const { strategy, initialCapital } = scenario.spec;
  let decisions = '';
  let trades = '';
  let state = engine.init();
  const emit = (made: readonly Decision[], bar: Bar | null, events: readonly TradeEvent[], ts: number) => {
    for (const decision of made) {
      if (decision.ts_ms < scenario.start || decision.ts_ms > scenario.end) continue;
      const own = bar !== null && decision.ts_ms === bar.ts;
      const extra = {
        equity: markToMarket(initialCapital, state, decision.close),
        inputHash: own ? barHash(bar) : '',
        features: own && scenario.explain ? featuresCell(strategy.describe(state.features)) : '',
        strategy: strategy.id,
        modelId: strategy.modelId ?? '',
        spec: engine.fingerprint,
      };
      decisions += decisionLines([decisionRow(scenario.stream, decision, extra)]);
    }
    if (ts >= scenario.start)
      for (const event of events)
        if (event.kind === 'close') trades += tradeLines([tradeRow(scenario.stream, event)]);
  };
  for (const { ts, bar, skip } of slots(scenario)) {
    if (skip !== undefined) {
      const out = engine.skipSlot(state, ts, skip, new StepOutput());
      emit(decisionsOf(out, scenario.spec.timeframe.ms), null, out.events, ts);
      continue;
    }
    const result = engine.step(state, bar!, scenario.contextAt(ts));
    state = result.state;
    if (result.rejected === null) emit(result.decisions, bar, result.tradeEvents, ts);
  }
  return { decisions, trades };
};

const spec = (overrides: Partial<EngineSpec> = {}): EngineSpec => ({
  timeframe: TF,
  strategy: createStrategy('ema_cross_atr', {
    fast: 5,
    slow: 13,
    atr_period: 7,
    atr_mult: 1.5,
    allow_short: true,
    trailing: true,
  }),
  fill: { model: 'close', stopThrough: false },
  costs: { feeBps: 10, slippageBps: 2 },
  sizing: { mode: 'fixed_notional', notional: 1_000 },
  risk: NO_RISK_LIMITS,
  initialCapital: 10_000,
  ...overrides,
});

/** Contexts by slot: warmup before `start`, then the kill switch over the given ranges. */
function contexts(start: number, switched: readonly { from: number; to: number; flatten: boolean }[]) {
  const at = (ts: number): EngineContext => {
    if (ts < start) return WARMUP;
    const range = switched.find((r) => ts >= r.from && ts <= r.to);
    return range === undefined ? RUNNING : { killSwitch: true, flatten: range.flatten };
  };
  const edges = [start, ...switched.flatMap((r) => [r.from, r.to + 1])].sort((a, b) => a - b);
  const change = (ts: number) => edges[firstAtOrAfter(edges, ts + 1)] ?? Number.POSITIVE_INFINITY;
  return { contextAt: at, contextChange: change };
}

/** The scenarios, each in both explain modes where asked. */
export function scenarios(explain: boolean): Scenario[] {
  const series = generateSeries({ seed: 8, timeframe: TF, startTs: T0 }, BARS);
  const slot = (i: number) => T0 + i * TF.ms;
  const start = slot(WARMUP_BARS);
  const end = slot(BARS - 1);
  const stream = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' };
  const base = { stream, start, end, explain, hostSkips: new Map<number, HostSkipReason>() };
  // Every 37th bar after the warmup missing, two runs of five.
  const holes = barsFromSeries(series).filter(
    (_, i) => i < WARMUP_BARS || (i % 37 !== 0 && !(i >= 900 && i < 905) && !(i >= 1700 && i < 1705)),
  );
  const skips = new Map<number, HostSkipReason>([
    [slot(500), 'fetch_failed'],
    [slot(501), 'fetch_failed'],
    [slot(777), 'persist_failed'],
    [slot(1_202), 'bar_missing'],
    [slot(2_000), 'persist_failed'],
  ]);
  return [
    {
      name: 'bars in order, long and short',
      spec: spec(),
      series,
      ...base,
      ...contexts(start, []),
      shows: ['entry_signal', 'reverse_signal', 'stop_hit'],
    },
    {
      name: 'empty slots and host skips',
      spec: spec(),
      series: seriesFromBars(holes),
      ...base,
      hostSkips: skips,
      ...contexts(start, []),
      shows: ['bar_missing', 'fetch_failed', 'persist_failed', 'cadence_failed'],
    },
    {
      name: 'the kill switch refusing entries, then flattening',
      spec: spec(),
      series,
      ...base,
      ...contexts(start, [
        { from: slot(600), to: slot(900), flatten: false },
        // Short flattening spells, some of which find a position open.
        ...Array.from({ length: 20 }, (_, k) => ({
          from: slot(1_000 + 50 * k),
          to: slot(1_002 + 50 * k),
          flatten: true,
        })),
      ]),
      shows: ['kill_switch', 'kill_switch_flatten'],
    },
    {
      name: 'fixed_quantity with next-open fills through the stop, and risk limits',
      spec: spec({
        sizing: { mode: 'fixed_quantity', quantity: 0.05 },
        fill: { model: 'next_open', stopThrough: true },
        risk: { ...NO_RISK_LIMITS, maxPositionNotional: 40_000, dailyLossLimit: 60 },
      }),
      series: seriesFromBars(holes),
      ...base,
      hostSkips: skips,
      ...contexts(start, [{ from: slot(1_000), to: slot(1_100), flatten: true }]),
      shows: ['risk_daily_loss', 'kill_switch_flatten', 'fetch_failed', 'bar_missing'],
    },
    {
      name: "a market's rules: quantities cut to the step, stops on the tick",
      spec: spec({ marketRules: BTC_USDT_RULES, sizing: { mode: 'equity_fraction', fraction: 0.1 } }),
      series,
      ...base,
      ...contexts(start, []),
      shows: ['entry_signal', 'stop_hit'],
    },
    {
      // 26.3 of quote a trade, cut to the 0.00001 step: under 0.001 of base above a price of 26,300
      // (about half the series: below_min_amount), under 26.2 of value when the cut takes more than 0.1
      // (below_min_notional).
      name: "entries under the market's minimum amount or value refused",
      spec: spec({
        marketRules: { amountStep: '0.00001', minAmount: '0.001', priceTick: '0.01', minNotional: '26.2' },
        sizing: { mode: 'fixed_notional', notional: 26.3 },
      }),
      series,
      ...base,
      ...contexts(start, []),
      shows: ['entry_signal', 'below_min_amount', 'below_min_notional'],
    },
  ];
}

/** Binance BTC/USDT's rules: LOT_SIZE step 0.00001, PRICE_FILTER tick 0.01, NOTIONAL 5. */
const BTC_USDT_RULES = { amountStep: '0.00001', minAmount: '0.00001', priceTick: '0.01', minNotional: '5' };

/**
 * Runs every scenario through `host` and asserts the same bytes as the reference host. `explains`:
 * whether the host always writes the features (LIVE), can leave them out (a backtest), or never
 * writes them (the threaded backtest: a run that explains formats inline).
 */
export function describeHostConformance(
  name: string,
  explains: 'always' | 'optional' | 'never',
  host: JournalHost,
): void {
  const modes = { always: [true], optional: [true, false], never: [false] }[explains];
  describe(`host conformance: ${name}`, () => {
    for (const explain of modes)
      it.each(scenarios(explain).map((s) => [s.name, s] as const))(
        `writes the reference bytes: %s${explain ? ' (features)' : ''}`,
        async (_name, scenario) => {
          const expected = await engineStepHost(scenario);
          const got = await host(scenario);
          const lines = expected.decisions.split('\n');
          expect(lines.length - 1).toBeGreaterThan(1_900);
          expect(expected.trades.split('\n').length - 1).toBeGreaterThan(15);
          for (const reason of scenario.shows) expect(expected.decisions).toContain(`,${reason},`);
          expect(got.decisions).toBe(expected.decisions);
          expect(got.trades).toBe(expected.trades);
        },
      );
  });
}
