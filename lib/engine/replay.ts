import { type BarSeries, loadBar, type MutableBar, mutableBar } from '../market/index.js';
import { type EngineContext, sameContext } from './advance.js';
import type { HostSkipReason } from './decision.js';
import type { Engine } from './engine.js';
import { StepOutput } from './output.js';
import type { EngineState } from './state.js';
import { StepLog } from './step-log.js';

/** Bars decided at a time. */
const RUN_ROWS = 4096;

/** What to feed: every bar of a series and, by close time, the slots a LIVE host could not fetch or store. */
export interface ReplayInputs {
  readonly series: BarSeries;
  /** Host skips (from a LIVE journal): the slot is skipped with this reason even when the lake has its bar. */
  readonly hostSkips?: ReadonlyMap<number, HostSkipReason>;
  /** The context of each slot: warmup before an output window, LIVE's kill switch, ... */
  readonly contextAt: (ts: number) => EngineContext;
  /**
   * The first close time after `ts` whose context may differ from that of `ts` (Infinity when none
   * does). With it the context is asked once a run, not once a bar (a call per bar cost more than
   * deciding the bar).
   */
  readonly contextChange?: (ts: number) => number;
  /**
   * Visit after every bar with the state as that bar left it, for hosts that read the state itself
   * (features). Otherwise bars are decided in runs and visited after each run: `out` carries what
   * the step produced (decision, fills, equity), but `state` is already past the run.
   */
  readonly barByBar?: boolean;
}

/** Called after each step with the output and the index of the bar fed (-1 for a host skip). */
export type ReplayVisit = (out: StepOutput, barIndex: number, bar: MutableBar) => void;

/** What a host takes the steps in, a run at a time (see `Replayer.feed`). */
export interface ReplaySink {
  /** A host skip's step. */
  skipped(out: StepOutput): void;
  /** A run of bars decided: row r of `log` is bar `first + r` of the series. */
  decided(log: StepLog, first: number): void;
}

/**
 * Feeds an engine every slot in close-time order (series bars merged with host skips), in as many
 * pieces as the host likes (a host that must yield between pieces, to write what was decided, feeds
 * bar ranges). Allocation-free per bar: the output record and the bar object are reused. The one
 * feeding loop of the backtest and of the paper loop's restart replay.
 */
export class Replayer {
  private readonly skips: number[];
  private readonly out = new StepOutput();
  private readonly bar = mutableBar();
  private readonly log = new StepLog(RUN_ROWS);
  private nextSkip = 0;
  private nextBar = 0;

  constructor(
    private readonly engine: Engine,
    private readonly state: EngineState,
    private readonly inputs: ReplayInputs,
  ) {
    this.skips = inputs.hostSkips === undefined ? [] : [...inputs.hostSkips.keys()].sort((a, b) => a - b);
  }

  /** True once every bar has been fed (host skips after the last bar are fed by `finish`). */
  get done(): boolean {
    return this.nextBar >= this.inputs.series.length;
  }

  /** Feeds bars up to index `to` (exclusive), with the host skips before and among them. */
  run(to: number, visit: ReplayVisit): void {
    this.feed(to, this.visiting(visit));
  }

  /** Feeds what is left: the remaining bars, then host skips after the last bar. */
  finish(visit: ReplayVisit): void {
    this.feedAll(this.visiting(visit));
  }

  /** A sink that visits every step on its own. */
  private visiting(visit: ReplayVisit): ReplaySink {
    const { out, bar } = this;
    const series = this.inputs.series;
    return {
      skipped: (step) => visit(step, -1, bar),
      decided(log, first) {
        for (let r = 0; r < log.count; r++)
          visit(log.toOutput(r, out), first + r, loadBar(series, first + r, bar));
      },
    };
  }

  /** Like `run`, handing `sink` whole runs of steps. */
  feed(to: number, sink: ReplaySink): void {
    const { series, contextAt, contextChange, hostSkips } = this.inputs;
    const { engine, state, out, skips, log } = this;
    const end = Math.min(to, series.length);
    const ts = series.ts;
    let i = this.nextBar;
    while (i < end) {
      const t = ts[i]!;
      while (this.nextSkip < skips.length && skips[this.nextSkip]! <= t) {
        const skipTs = skips[this.nextSkip++]!;
        sink.skipped(engine.skipSlot(state, skipTs, hostSkips!.get(skipTs)!, out));
      }
      // A slot LIVE skipped is skipped here too, even though the lake has its bar.
      if (skips.length > 0 && skips[this.nextSkip - 1] === t) {
        i++;
        continue;
      }
      // A run: bars under the same context, up to the next host skip, at most a log's worth.
      const context = contextAt(t);
      const nextSkip = this.nextSkip < skips.length ? skips[this.nextSkip]! : Number.POSITIVE_INFINITY;
      const limit = Math.min(end, this.inputs.barByBar === true ? i + 1 : i + log.capacity);
      const lastSkip = this.nextSkip > 0 ? skips[this.nextSkip - 1]! : Number.NaN;
      let j = i + 1;
      if (contextChange !== undefined) {
        const bound = Math.min(nextSkip, contextChange(t));
        while (j < limit && ts[j]! < bound && ts[j] !== lastSkip) j++;
      } else {
        while (j < limit && ts[j]! < nextSkip && ts[j] !== lastSkip) {
          const next = contextAt(ts[j]!);
          if (next !== context && !sameContext(next, context)) break;
          j++;
        }
      }
      engine.decide(state, series, i, j, context, log);
      sink.decided(log, i);
      i = j;
    }
    this.nextBar = Math.max(this.nextBar, end);
  }

  /** Like `finish`, handing `sink` whole runs of steps. */
  feedAll(sink: ReplaySink): void {
    this.feed(this.inputs.series.length, sink);
    const { engine, state, out, skips } = this;
    while (this.nextSkip < skips.length) {
      const skipTs = skips[this.nextSkip++]!;
      sink.skipped(engine.skipSlot(state, skipTs, this.inputs.hostSkips!.get(skipTs)!, out));
    }
  }
}

/** Feeds a whole series in one go (see Replayer). */
export function replay(engine: Engine, state: EngineState, inputs: ReplayInputs, visit: ReplayVisit): void {
  new Replayer(engine, state, inputs).finish(visit);
}
