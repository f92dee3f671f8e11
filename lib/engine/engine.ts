import type { Bar, BarSeries } from '../market/index.js';
import { DecisionEngine, type EngineContext, RUNNING } from './advance.js';
import type { Decision, HostSkipReason, Trade, TradeEvent } from './decision.js';
import { decisionsOf, StepOutput } from './output.js';
import { type EngineSpec, specFingerprint } from './spec.js';
import { cloneState, createState, deserializeState, type EngineState, serializeState } from './state.js';
import { StepLog } from './step-log.js';

/** What the pure `step` returns. */
export interface StepResult {
  readonly state: EngineState;
  /** Empty slots before the bar (`bar_missing`) then the bar's own decision; empty for a refused bar. */
  readonly decisions: readonly Decision[];
  readonly tradeEvents: readonly TradeEvent[];
  /** Why the bar was refused (it was not newer than the last decided slot), or null. */
  readonly rejected: 'duplicate' | 'out_of_order' | null;
}

/** The result of running the engine over a whole series. */
export interface RunResult {
  readonly state: EngineState;
  readonly decisions: Decision[];
  readonly trades: Trade[];
  readonly events: TradeEvent[];
  readonly rejected: number;
}

/** The decision engine bound to one spec: the single implementation every host calls. */
export interface Engine {
  readonly spec: EngineSpec;
  /** Hash of everything in the spec that affects decisions. */
  readonly fingerprint: string;
  /** A fresh state. */
  init(): EngineState;
  /** Pure: `state` is left untouched, a new state is returned. For notebooks, tests and small hosts. */
  step(state: EngineState, bar: Bar, context?: EngineContext): StepResult;
  /** In place and allocation-free: advances `state` by one bar and writes into `out`. For hosts fed bar by bar. */
  advance(state: EngineState, bar: Bar, context: EngineContext, out: StepOutput): StepOutput;
  /**
   * In place: decides bars [from, to) of `series` under one context into `log` (at most its capacity),
   * exactly as `advance` on each in turn would. For hot loops over stored bars.
   */
  decide(
    state: EngineState,
    series: BarSeries,
    from: number,
    to: number,
    context: EngineContext,
    log: StepLog,
  ): void;
  /** In place: records a slot the host could not obtain or store a bar for. */
  skipSlot(state: EngineState, ts: number, reason: HostSkipReason, out: StepOutput): StepOutput;
  /** JSON text that `restore` turns back into an identical state. */
  serialize(state: EngineState): string;
  /** Restores a serialized state; refuses one saved under a different spec. */
  restore(text: string): EngineState;
  /** Runs a whole series from `state` (or a fresh one), collecting decisions and trades. */
  run(series: BarSeries, options?: { state?: EngineState; context?: EngineContext }): RunResult;
}

/** Bars `run` decides at a time. */
const RUN_ROWS = 4096;

/** Binds the engine to a spec. */
export function createEngine(spec: EngineSpec): Engine {
  const core = new DecisionEngine(spec);
  const timeframeMs = spec.timeframe.ms;
  return {
    spec,
    fingerprint: specFingerprint(spec),
    init: () => createState(spec),
    step(state, bar, context = RUNNING) {
      const next = cloneState(spec, state);
      const out = core.advance(next, bar, context, new StepOutput());
      return {
        state: next,
        decisions: decisionsOf(out, timeframeMs),
        tradeEvents: [...out.events],
        rejected: out.accepted ? null : out.rejection,
      };
    },
    advance: (state, bar, context, out) => core.advance(state, bar, context, out),
    decide: (state, series, from, to, context, log) => core.decide(state, series, from, to, context, log),
    skipSlot: (state, ts, reason, out) => core.skipSlot(state, ts, reason, out),
    serialize: (state) => serializeState(spec, state),
    restore: (text) => deserializeState(spec, text),
    run(series, options = {}) {
      const state = options.state ?? createState(spec);
      const context = options.context ?? RUNNING;
      const out = new StepOutput();
      const log = new StepLog(RUN_ROWS);
      const decisions: Decision[] = [];
      const events: TradeEvent[] = [];
      let rejected = 0;
      for (let from = 0; from < series.length; from += RUN_ROWS) {
        core.decide(state, series, from, Math.min(series.length, from + RUN_ROWS), context, log);
        for (let r = 0; r < log.count; r++) {
          log.toOutput(r, out);
          if (!out.accepted) {
            rejected++;
            continue;
          }
          for (const decision of decisionsOf(out, timeframeMs)) decisions.push(decision);
          for (const event of out.events) events.push(event);
        }
      }
      const trades = events.filter((e): e is Trade => e.kind === 'close');
      return { state, decisions, trades, events, rejected };
    },
  };
}
