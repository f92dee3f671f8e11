import { type Config, engineSpecOf, streamsOf } from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import { createEngine, type Engine, type EngineState, specOfDescription, WARMUP } from '../engine/index.js';
import {
  type DataLayout,
  type DecisionRow,
  type DecisionTable,
  type JournalStream,
  readDecisions,
} from '../journal/index.js';
import { type Bar, type BarSeries, barAt, barHash } from '../market/index.js';
import type { Lake } from '../store/index.js';
import type { Signal, StrategyDefinition } from '../strategy/index.js';
import { isoUtc, type TimeframeLabel } from '../time/index.js';
import { type RunFacts, runFacts, streamOfTag } from './run-facts.js';

/** What the rules said at the bar, on the features as they were after it. */
export interface RuleEvaluation {
  readonly valid: boolean;
  readonly entry: Signal;
  readonly exitLong: boolean;
  readonly exitShort: boolean;
  readonly stopDistance: number;
}

/** Which decision: a run (its tag, or a config's stream) and the bar close. */
export interface ExplainRequest {
  readonly ts: number;
  /** LIVE `<tag>` or a backtest's `<tag>_bt_<RUNID>`; default the config's stream. */
  readonly tag?: string;
  /** The spec to replay under; default the run manifest's (built-in strategies). */
  readonly config?: Config;
  readonly definition?: StrategyDefinition;
  /** When the tag has journals for several streams. */
  readonly symbol?: string;
  readonly timeframe?: TimeframeLabel;
}

/** Why one journal row is what it is, rebuilt from the lake and the run's manifest. */
export interface Explanation {
  readonly row: DecisionRow & { line: number };
  /** The row the engine decides again over the same inputs. */
  readonly replayed: DecisionRow | null;
  /** Whether the replay gives the row back (action, reason, position and its numbers). */
  readonly reproduced: boolean;
  /** The bar in the lake now, and whether its hash is the row's (a changed bar is told apart). */
  readonly bar: Bar | null;
  readonly inputHash: { readonly row: string; readonly lake: string; readonly same: boolean };
  /** The position and stop before the bar. */
  readonly before: { readonly side: number; readonly stop: number; readonly entryPrice: number };
  readonly features: Readonly<Record<string, number>>;
  readonly rules: RuleEvaluation | null;
  /** The decision in words, with the numbers the rule compared. */
  readonly why: string;
}

const close = (a: number, b: number) =>
  (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(a));

function sameRow(a: DecisionRow, b: DecisionRow): boolean {
  return (
    a.action === b.action &&
    a.reason === b.reason &&
    a.position === b.position &&
    close(a.close, b.close) &&
    close(a.stop, b.stop) &&
    close(a.qty, b.qty) &&
    close(a.fill_price, b.fill_price) &&
    close(a.equity, b.equity)
  );
}

const n = (x: number) => (Number.isFinite(x) ? String(+x.toPrecision(10)) : 'n/a');

function because(
  row: DecisionRow,
  rules: RuleEvaluation | null,
  bar: Bar | null,
  before: Explanation['before'],
): string {
  const head = `${isoUtc(row.ts_ms)}: ${row.action} / ${row.reason}`;
  if (row.action === 'skip') return `${head}: no bar was evaluated (${row.reason})`;
  if (rules === null || bar === null) return head;
  const said = `valid=${rules.valid} entry=${rules.entry} exit_long=${rules.exitLong} exit_short=${rules.exitShort}`;
  switch (row.reason) {
    case 'stop_hit':
      return `${head}: the bar reached the stop ${n(before.stop)} (low ${n(bar.low)}, high ${n(bar.high)}); filled at ${n(row.fill_price)}`;
    case 'entry_signal':
      return `${head}: flat, the entry rule gave ${rules.entry} (${said}); filled at ${n(row.fill_price)}, stop ${n(row.stop)} = close ${n(bar.close)} ${rules.entry > 0 ? '-' : '+'} ${n(rules.stopDistance)}`;
    case 'exit_signal':
      return `${head}: in position (entry ${n(before.entryPrice)}), the exit rule held (${said}); filled at ${n(row.fill_price)}`;
    default:
      return `${head}: ${said}; position ${before.side === 0 ? 'flat' : before.side > 0 ? 'long' : 'short'} -> ${row.position}`;
  }
}

/** The bar at `ts` as the lake has it, or null. */
function barOf(series: BarSeries, ts: number): Bar | null {
  const i = series.ts.indexOf(ts);
  return i >= 0 && i < series.length ? barAt(series, i) : null;
}

/**
 * The run replayed to `target` through the paper loop's Decider (the rows LIVE writes), with its host
 * skips and kill switch: the row the engine decides there, the bar last fed, the position before it
 * and the features after. A missing bar's row comes with the next bar: the lake is read a little past.
 */
async function replay(
  lake: Lake,
  engine: Engine,
  table: DecisionTable,
  facts: RunFacts,
  stream: JournalStream,
  target: number,
) {
  // The Decider (the live area loads ccxt) and the backtest's slot inputs, on first use.
  const [{ Decider }, { slotInputs }] = await Promise.all([
    import('../live/index.js'),
    import('../backtest/index.js'),
  ]);
  const slots = slotInputs(table, { from: facts.from, start: facts.start, end: target });
  const decider = new Decider(engine, engine.init(), stream);
  const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: engine.spec.timeframe.label };
  const series = await lake.read(key, facts.from, target + 1000 * engine.spec.timeframe.ms);
  const times = [...new Set([...Array.from(series.ts.subarray(0, series.length)), ...slots.hostSkips.keys()])]
    .filter((ts) => ts >= facts.from)
    .sort((a, b) => a - b);
  let bar: Bar | null = null;
  let before: Explanation['before'] | null = null;
  let replayed: DecisionRow | null = null;
  for (const ts of times) {
    if (replayed !== null) break;
    if (ts >= target && before === null) {
      const p = decider.state.position;
      before = { side: p.side, stop: p.stop, entryPrice: p.entryPrice };
    }
    const skip = slots.hostSkips.get(ts);
    bar = skip === undefined ? barOf(series, ts) : null;
    const fed =
      skip !== undefined || bar === null
        ? decider.skip(ts, skip ?? 'fetch_failed')
        : decider.bar(bar, ts < facts.start ? WARMUP : slots.contextAt(ts));
    replayed = fed.decisions.find((d) => d.ts_ms === target) ?? null;
  }
  return {
    bar,
    before: before ?? { side: 0, stop: Number.NaN, entryPrice: Number.NaN },
    replayed,
    features: decider.state.features,
  };
}

/**
 * Explains one decision of a run (LIVE or a backtest): the engine replays the run from where its
 * manifest says it was first fed, over the lake's bars with the run's host skips and kill switch, to
 * the row at `ts`; the row is checked against the replay and its input hash against the bar in the
 * lake now; the rules are evaluated on the features as they were, and the decision is put in words.
 */
/** The row asked for: the run's tag (or the config's), its one stream, the decision at `ts`. */
function rowAsked(layout: DataLayout, request: ExplainRequest) {
  const configured = request.config === undefined ? undefined : streamsOf(request.config)[0]!;
  const tag = request.tag ?? configured?.tag;
  if (tag === undefined)
    throw new MjolnirError('input_invalid', 'explain needs a run: a tag (--tag) or a config (-c)');
  const stream = streamOfTag(
    layout,
    tag,
    request.symbol ?? configured?.symbol,
    request.timeframe ?? configured?.timeframe,
  );
  const path = layout.decisions(tag, stream.symbol, stream.timeframe);
  const table: DecisionTable = readDecisions(path);
  const index = table.ts.toArray().indexOf(request.ts);
  if (index < 0)
    throw new MjolnirError(
      'input_invalid',
      `no decision at ${request.ts} (${isoUtc(request.ts)}) in ${path}`,
    );
  return { tag, stream, table, row: table.row(index) };
}

/** The engine the row was decided by: the run manifest's spec, or the config's; a different spec is refused. */
function engineOf(request: ExplainRequest, facts: RunFacts, rowSpec: string): Engine {
  const engine = createEngine(
    request.config === undefined
      ? specOfDescription(facts.config)
      : engineSpecOf(request.config, request.definition),
  );
  if (rowSpec !== engine.fingerprint)
    throw new MjolnirError(
      'input_invalid',
      `the row was decided under spec ${rowSpec}; ${request.config === undefined ? "the run's manifest" : 'this config'} gives ${engine.fingerprint}`,
    );
  return engine;
}

/** What the strategy's rules said on `bar` (null without the row's own bar). */
function rulesOn(
  strategy: Engine['spec']['strategy'],
  features: EngineState['features'],
  bar: Bar | null,
  ts: number,
): RuleEvaluation | null {
  if (bar === null || bar.ts !== ts) return null;
  return {
    valid: strategy.valid(features),
    entry: strategy.entry(features),
    exitLong: strategy.exitLong(features),
    exitShort: strategy.exitShort(features),
    stopDistance: strategy.stopDistance(features, bar.close),
  };
}

export async function explain(lake: Lake, request: ExplainRequest): Promise<Explanation> {
  const layout = lake.layout;
  const { tag, stream, table, row } = rowAsked(layout, request);
  const facts = runFacts(layout, stream.symbol, stream.timeframe, tag);
  const engine = engineOf(request, facts, row.spec);
  const key = { exchange: row.exchange, symbol: row.symbol, timeframe: row.timeframe };
  const { bar, before, replayed, features } = await replay(lake, engine, table, facts, key, request.ts);
  const strategy = engine.spec.strategy;
  const rules = rulesOn(strategy, features, bar, request.ts);
  const lakeHash = rules === null || bar === null ? '' : barHash(bar);
  return {
    row,
    replayed,
    reproduced: replayed !== null && sameRow(row, replayed),
    bar: rules === null ? null : bar,
    inputHash: { row: row.input_hash, lake: lakeHash, same: row.input_hash === lakeHash },
    before,
    features: rules === null ? {} : strategy.describe(features),
    rules,
    why: because(row, rules, bar, before),
  };
}
