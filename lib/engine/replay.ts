import { type MutableBar, mutableBar } from '../market/bar.js';
import { type BarSeries, loadBar } from '../market/series.js';
import type { EngineContext } from './advance.js';
import type { HostSkipReason } from './decision.js';
import type { Engine } from './engine.js';
import { StepOutput } from './output.js';
import type { EngineState } from './state.js';

/** What to feed: every bar of a series and, by close time, the slots a LIVE host could not fetch or store. */
export interface ReplayInputs {
  readonly series: BarSeries;
  /** Host skips (from a LIVE journal): the slot is skipped with this reason even when the lake has its bar. */
  readonly hostSkips?: ReadonlyMap<number, HostSkipReason>;
  /** The context of each slot: warmup before an output window, LIVE's kill switch, ... */
  readonly contextAt: (ts: number) => EngineContext;
}

/** Called after each step with the output and the index of the bar fed (-1 for a host skip). */
export type ReplayVisit = (out: StepOutput, barIndex: number, bar: MutableBar) => void;

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
    const { series, contextAt, hostSkips } = this.inputs;
    const { engine, state, out, bar, skips } = this;
    const end = Math.min(to, series.length);
    for (let i = this.nextBar; i < end; i++) {
      const ts = series.ts[i]!;
      while (this.nextSkip < skips.length && skips[this.nextSkip]! <= ts) {
        const skipTs = skips[this.nextSkip++]!;
        engine.skipSlot(state, skipTs, hostSkips!.get(skipTs)!, out);
        visit(out, -1, bar);
      }
      // A slot LIVE skipped is skipped here too, even though the lake has its bar.
      if (skips.length > 0 && skips[this.nextSkip - 1] === ts) continue;
      engine.advance(state, loadBar(series, i, bar), contextAt(ts), out);
      visit(out, i, bar);
    }
    this.nextBar = Math.max(this.nextBar, end);
  }

  /** Feeds what is left: the remaining bars, then host skips after the last bar. */
  finish(visit: ReplayVisit): void {
    this.run(this.inputs.series.length, visit);
    const { engine, state, out, bar, skips } = this;
    while (this.nextSkip < skips.length) {
      const skipTs = skips[this.nextSkip++]!;
      engine.skipSlot(state, skipTs, this.inputs.hostSkips!.get(skipTs)!, out);
      visit(out, -1, bar);
    }
  }
}

/** Feeds a whole series in one go (see Replayer). */
export function replay(engine: Engine, state: EngineState, inputs: ReplayInputs, visit: ReplayVisit): void {
  new Replayer(engine, state, inputs).finish(visit);
}
