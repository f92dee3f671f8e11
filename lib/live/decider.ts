import type { Engine, EngineContext, HostSkipReason, Trade } from '../engine/index.js';
import { decisionsOf, type EngineState, markToMarket, StepOutput } from '../engine/index.js';
import { type DecisionRow, decisionRow, featuresCell, type JournalStream } from '../journal/index.js';
import type { Bar } from '../market/index.js';
import { barHash } from '../market/index.js';

/** What feeding one bar (or one host skip) produced, ready for the journals. */
export interface Fed {
  readonly decisions: DecisionRow[];
  readonly trades: Trade[];
}

/** The journal rows (and closed trades) of one engine step; `bar` is the bar fed, null for a host skip. */
export function journalRows(
  engine: Engine,
  state: EngineState,
  stream: JournalStream,
  out: StepOutput,
  bar: Bar | null,
): Fed {
  const decisions: DecisionRow[] = [];
  const trades: Trade[] = [];
  if (!out.accepted) return { decisions, trades };
  const strategy = engine.spec.strategy;
  const spec = engine.fingerprint;
  for (const decision of decisionsOf(out, engine.spec.timeframe.ms)) {
    const own = bar !== null && decision.ts_ms === bar.ts;
    const features = own ? featuresCell(strategy.describe(state.features)) : '';
    const equity = markToMarket(engine.spec.initialCapital, state, decision.close);
    decisions.push(
      decisionRow(stream, decision, {
        equity,
        inputHash: own ? barHash(bar) : '',
        features,
        strategy: strategy.id,
        spec,
      }),
    );
  }
  for (const event of out.events) if (event.kind === 'close') trades.push(event);
  return { decisions, trades };
}

/**
 * Feeds the engine and turns what it decides into journal rows, the same way for a live iteration and
 * for a replay at restart: the rows a replay produces can then be compared with the journal as written.
 */
export class Decider {
  private readonly out = new StepOutput();

  constructor(
    private readonly engine: Engine,
    readonly state: EngineState,
    private readonly stream: JournalStream,
  ) {}

  /** Decides a closed bar (and any empty slots before it). */
  bar(bar: Bar, context: EngineContext): Fed {
    this.engine.advance(this.state, bar, context, this.out);
    return journalRows(this.engine, this.state, this.stream, this.out, bar);
  }

  /** Records a slot the host could not fetch or store. */
  skip(ts: number, reason: HostSkipReason): Fed {
    this.engine.skipSlot(this.state, ts, reason, this.out);
    return journalRows(this.engine, this.state, this.stream, this.out, null);
  }
}
