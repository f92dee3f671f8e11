import { type Config, engineSpecOf } from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import type { EngineSpec } from '../engine/index.js';
import { createEngine, RUNNING, replay, WARMUP } from '../engine/index.js';
import { type BarSeries, firstAtOrAfter, sliceSeries } from '../market/index.js';
import type { StrategyDefinition } from '../strategy/index.js';
import type { ParamSet } from './grid.js';
import { type RunMetrics, RunRecorder } from './recorder.js';
import { checkWarmup } from './warmup-check.js';

/** The output window of a sweep: bars closing in [start, end]. */
export interface SweepWindow {
  readonly start: number;
  readonly end: number;
}

/** What one parameter set gave: metrics, or why the strategy or the warmup check refused it. */
export type SweepOutcome =
  | ({ readonly ok: true; readonly bars: number } & RunMetrics)
  | { readonly ok: false; readonly error: string };

/** The engine spec of a config with some strategy parameters replaced (validated by the strategy). */
export function specWith(config: Config, params: ParamSet, definition?: StrategyDefinition): EngineSpec {
  return engineSpecOf(
    { ...config, strategy: { ...config.strategy, params: { ...config.strategy.params, ...params } } },
    definition,
  );
}

/**
 * One parameter set over a window, engine only (no files): the same warmup rule and check as a
 * backtest (its stable warmup before the window, proven against twice as long), the same metrics.
 */
export function evaluateParams(
  config: Config,
  params: ParamSet,
  series: BarSeries,
  window: SweepWindow,
  definition?: StrategyDefinition,
): SweepOutcome {
  try {
    const spec = specWith(config, params, definition);
    const first = firstAtOrAfter(series.ts, window.start);
    const last = firstAtOrAfter(series.ts, window.end + 1);
    if (first >= last) throw new MjolnirError('input_invalid', 'no bars in the window');
    const stable = spec.strategy.stableWarmupBars;
    checkWarmup(spec.strategy, series, first, stable);
    const engine = createEngine(spec);
    const state = engine.init();
    const recorder = new RunRecorder(spec.initialCapital, last - first);
    const fed = sliceSeries(series, first - stable, last);
    const contextAt = (ts: number) => (ts < window.start ? WARMUP : RUNNING);
    const contextChange = (ts: number) => (ts < window.start ? window.start : Number.POSITIVE_INFINITY);
    replay(engine, state, { series: fed, contextAt, contextChange }, (out) => {
      if (!out.accepted || out.ts < window.start) return;
      recorder.record(out.ts, out.equity, out.side, out.events);
    });
    return { ok: true, bars: last - first, ...recorder.metrics(spec.timeframe.ms) };
  } catch (error) {
    if (error instanceof MjolnirError && error.category === 'operator')
      return { ok: false, error: error.message };
    throw error;
  }
}
