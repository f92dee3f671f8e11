import type { Engine, EngineContext, HostSkipReason, Trade } from '../engine/index.js';
import { type EngineState, StepOutput } from '../engine/index.js';
import {
  type DecisionRow,
  featuresCell,
  type JournalStream,
  RowCollector,
  writeStep,
} from '../journal/index.js';
import type { Bar } from '../market/index.js';

/** What feeding one bar (or one host skip) produced, ready for the journals. */
export interface Fed {
  readonly decisions: DecisionRow[];
  readonly trades: Trade[];
}

/**
 * Feeds the engine and turns what it decides into journal rows (through the one mapping every host
 * uses), the same way for a live iteration and for a replay at restart: the rows a replay produces can
 * then be compared with the journal as written.
 */
export class Decider {
  private readonly out = new StepOutput();
  private readonly rows: RowCollector;

  constructor(
    private readonly engine: Engine,
    readonly state: EngineState,
    stream: JournalStream,
  ) {
    this.rows = new RowCollector(stream, engine.spec.strategy, engine.fingerprint);
  }

  /** Decides a closed bar (and any empty slots before it). */
  bar(bar: Bar, context: EngineContext): Fed {
    this.engine.advance(this.state, bar, context, this.out);
    const features = this.out.accepted
      ? featuresCell(this.engine.spec.strategy.describe(this.state.features))
      : '';
    return this.fed(bar, features);
  }

  /** Records a slot the host could not fetch or store. */
  skip(ts: number, reason: HostSkipReason): Fed {
    this.engine.skipSlot(this.state, ts, reason, this.out);
    return this.fed(null, '');
  }

  private fed(bar: Bar | null, features: string): Fed {
    writeStep(this.out, this.engine.spec.timeframe.ms, this.rows, bar, features);
    const trades: Trade[] = [];
    for (const event of this.out.events) if (event.kind === 'close') trades.push(event);
    return { decisions: this.rows.take(), trades };
  }
}
