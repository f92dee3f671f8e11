import { MjolnirError } from '../core/index.js';
import type { EngineSpec, StepOutput } from '../engine/index.js';
import { ACTIONS, createEngine, REASONS, RUNNING, replay } from '../engine/index.js';
import { type BarSeries, sliceSeries } from '../market/index.js';

/** Where a strategy's decisions changed because the data went on past the bar. */
export interface LookaheadViolation {
  /** Bars in the truncated run. */
  readonly cut: number;
  /** Index and close time of the first bar whose decision differs. */
  readonly index: number;
  readonly ts: number;
  readonly full: string;
  readonly truncated: string;
}

/** The outcome of a lookahead check. */
export interface LookaheadReport {
  readonly bars: number;
  readonly cuts: readonly number[];
  /** Decisions compared in all (each truncated run against the full run, bar by bar). */
  readonly compared: number;
  readonly violation: LookaheadViolation | null;
}

/**
 * Everything a step emits for its bar, exactly (numbers as their shortest round-trip text) plus the
 * strategy's feature values: a strategy that peeks changes one of these, not only its trades.
 */
function fingerprintOf(spec: EngineSpec, out: StepOutput, features: object): string {
  const described = Object.entries(spec.strategy.describe(features))
    .map(([name, value]) => `${name}=${value}`)
    .join(';');
  const events = out.events.map((e) => JSON.stringify(e)).join('|');
  return (
    `${out.gapCount}:${ACTIONS[out.action]}/${REASONS[out.reason]} side=${out.side} qty=${out.qty} ` +
    `stop=${out.stop} close=${out.close} fill=${out.fillPrice} [${events}] ${described}`
  );
}

function decide(spec: EngineSpec, series: BarSeries): string[] {
  const engine = createEngine(spec);
  const state = engine.init();
  const rows: string[] = [];
  replay(engine, state, { series, contextAt: () => RUNNING, barByBar: true }, (out) => {
    rows.push(out.accepted ? fingerprintOf(spec, out, state.features) : `refused:${out.rejection}`);
  });
  return rows;
}

/** `count` cut points spread evenly over the series after its first `from` bars. */
export function evenCuts(length: number, count: number, from = 1): number[] {
  const cuts = new Set<number>();
  for (let k = 1; k <= count; k++) cuts.add(from + Math.floor(((length - from) * k) / (count + 1)));
  return [...cuts].filter((cut) => cut > 0 && cut < length);
}

/**
 * The exact lookahead proof (freqtrade's lookahead analysis, without its sampling): a strategy built
 * from the full data and one built from the data cut at each point must decide every bar up to the
 * cut identically, features included. `build` receives the data the run will see, so a strategy that
 * derives anything from the whole series (normalising with full-sample statistics, a model fitted on
 * the future) is caught.
 */
export function checkLookahead(
  build: (series: BarSeries) => EngineSpec,
  series: BarSeries,
  cuts: readonly number[],
): LookaheadReport {
  if (cuts.length === 0) throw new MjolnirError('input_invalid', 'a lookahead check needs at least one cut');
  const full = decide(build(series), series);
  let compared = 0;
  for (const cut of cuts) {
    if (!(cut > 0 && cut <= series.length))
      throw new MjolnirError('input_invalid', `cut ${cut} is outside the series (1..${series.length})`);
    const head = sliceSeries(series, 0, cut);
    const truncated = decide(build(head), head);
    for (let i = 0; i < cut; i++) {
      compared++;
      if (truncated[i] === full[i]) continue;
      return {
        bars: series.length,
        cuts,
        compared,
        violation: { cut, index: i, ts: series.ts[i]!, full: full[i]!, truncated: truncated[i]! },
      };
    }
  }
  return { bars: series.length, cuts, compared, violation: null };
}
