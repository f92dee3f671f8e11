import type { Engine, EngineState } from '../engine/index.js';
import { Replayer, type ReplaySink, type ReplayVisit, ROW_NEXT, StepOutput } from '../engine/index.js';
import type { JournalStream } from '../journal/index.js';
import { encodeBatch, featuresCell, TradeBatch, writeStep } from '../journal/index.js';
import { type BarSeries, loadBar, mutableBar } from '../market/index.js';
import type { DecisionOutput } from './decision-output.js';
import type { SlotInputs } from './inputs.js';
import type { OutputFile } from './output-file.js';
import { type RunMetrics, RunRecorder } from './recorder.js';

/**
 * Bars fed between two chances for finished output to be written. A quarter of a formatting batch:
 * the workers' answers are heard only then, and a thread that hears late what they have finished
 * formats batches itself while they idle (measured: 8192 beat 32768 by a tenth end to end).
 */
const PIECE = 1 << 13;

/** What deciding a window produced. */
export interface DecidedWindow {
  readonly decisions: number;
  readonly metrics: RunMetrics;
  readonly state: EngineState;
}

/**
 * Feeds the warmup and the window through the engine: a decision row for every slot closing in
 * [start, end] (empty slots included, as LIVE journals them), every closed trade to trades.csv,
 * every decided bar to the equity curve. Fed in pieces, so the output can be written meanwhile.
 */
export async function decideWindow(input: {
  readonly engine: Engine;
  readonly fed: BarSeries;
  readonly slots: SlotInputs;
  readonly start: number;
  readonly end: number;
  readonly stream: JournalStream;
  readonly output: DecisionOutput;
  readonly trades: OutputFile;
  /** Write each decision's feature values. */
  readonly explain: boolean;
  /** Work for this thread once every bar is fed, done while the output finishes (not waiting idle). */
  readonly whileFinishing?: () => void;
}): Promise<DecidedWindow> {
  const { engine, fed, start, end, output } = input;
  const spec = engine.spec;
  const tfMs = spec.timeframe.ms;
  const state = engine.init();
  const strategy = spec.strategy;
  const recorder = new RunRecorder(spec.initialCapital, fed.length);
  const features = (): string => featuresCell(strategy.describe(state.features));
  const trades = new TradeBatch(input.stream);
  const writeTrades = () => {
    encodeBatch(trades, input.trades.sink);
    trades.clear();
    input.trades.flushIfFull();
  };
  let decisions = 0;
  // A step on its own: host skips, bars after empty slots, bars that fill, and every bar explained.
  const visit: ReplayVisit = (out, barIndex, bar) => {
    if (!out.accepted || out.ts < start) return;
    // The rows of the window, through the mapping LIVE's journal uses too.
    const ownBar = barIndex >= 0;
    const text = ownBar && input.explain ? features() : '';
    decisions += writeStep(out, tfMs, output, ownBar ? bar : null, text, start, end);
    if (out.ts > end) return;
    for (const event of out.events)
      if (event.kind === 'close') {
        trades.add(event);
        if (trades.full) writeTrades();
      }
    recorder.record(out.ts, out.equity, out.side, out.events);
  };
  const out = new StepOutput();
  const bar = mutableBar();
  const ts = fed.ts;
  const cells = output.cells;
  const sink: ReplaySink = {
    skipped: (step) => visit(step, -1, bar),
    // The common row (a bar after the previous slot, no fill) straight from the log's columns.
    decided(log, first) {
      const status = log.status;
      for (let r = 0; r < log.count; r++) {
        const i = first + r;
        const t = ts[i]!;
        if (status[r] !== ROW_NEXT || log.hasEvents(r) || input.explain) {
          visit(log.toOutput(r, out), i, loadBar(fed, i, bar));
          continue;
        }
        if (t < start || t > end) continue;
        // The output's cells are where numbersInto puts a row's numbers (NUMBER_*).
        const side = log.numbersInto(r, cells);
        recorder.recordNumbers(cells, side);
        output.fromCells(log.actionAt(r), log.reasonAt(r), side, loadBar(fed, i, bar));
        decisions++;
      }
    },
  };
  // Explaining reads the features after each bar; otherwise the engine decides bars in runs.
  const replayer = new Replayer(engine, state, { series: fed, ...input.slots, barByBar: input.explain });
  for (let to = PIECE; !replayer.done; to += PIECE) {
    replayer.feed(to, sink);
    await output.drain();
  }
  replayer.feedAll(sink);
  // What this thread has left, done while formatting workers finish the last batches.
  writeTrades();
  const metrics = recorder.metrics(tfMs);
  input.whileFinishing?.();
  await output.finish();
  return { decisions, metrics, state };
}
