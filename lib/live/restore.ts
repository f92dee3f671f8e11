import { MjolnirError } from '../core/index.js';
import type { Engine, EngineContext, EngineState, Trade } from '../engine/index.js';
import { replay } from '../engine/index.js';
import type { DecisionJournal, DecisionRow, JournalStream, LiveManifest } from '../journal/index.js';
import {
  featuresCell,
  RowCollector,
  type TradeJournal,
  type TradeRow,
  tradeRow,
  writeStep,
} from '../journal/index.js';
import type { MarketKey } from '../market/index.js';
import type { Lake } from '../store/index.js';
import { timeframe } from '../time/index.js';
import type { Logger } from './logger.js';
import { readSnapshot } from './persistence.js';

/** What a restart rebuilt. */
export interface Restored {
  readonly state: EngineState;
  /** Journal rows re-derived from the lake and checked. */
  readonly replayed: number;
  /** Trades a crash had left out of trades.csv, now appended. */
  readonly recoveredTrades: number;
}

const HOST_SKIPS = new Set(['fetch_failed', 'persist_failed']);

/** The operator context a journal row shows the decision was made under. */
function contextOf(row: DecisionRow | undefined, warmup: boolean): EngineContext {
  if (warmup) return { killSwitch: false, flatten: false, warmup: true };
  const flatten = row?.reason === 'kill_switch_flatten';
  return { killSwitch: flatten || row?.reason === 'kill_switch', flatten };
}

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function sameDecision(a: DecisionRow, b: DecisionRow): boolean {
  return (
    a.ts_ms === b.ts_ms &&
    a.action === b.action &&
    a.reason === b.reason &&
    a.position === b.position &&
    a.input_hash === b.input_hash &&
    same(a.close, b.close) &&
    same(a.stop, b.stop) &&
    same(a.qty, b.qty) &&
    same(a.fill_price, b.fill_price)
  );
}

const describeRow = (r: DecisionRow) =>
  `ts ${r.ts_ms} ${r.action}/${r.reason}/${r.position} close=${r.close} input=${r.input_hash || '-'}`;

function sameTrade(a: TradeRow, b: TradeRow): boolean {
  return (
    a.entry_ts_ms === b.entry_ts_ms &&
    a.exit_ts_ms === b.exit_ts_ms &&
    a.side === b.side &&
    a.exit_reason === b.exit_reason &&
    same(a.entry_price, b.entry_price) &&
    same(a.exit_price, b.exit_price) &&
    same(a.qty, b.qty)
  );
}

/** What restoreState reads and writes. */
interface RestoreInput {
  readonly engine: Engine;
  readonly stream: JournalStream;
  readonly key: MarketKey;
  readonly lake: Lake;
  readonly decisions: DecisionJournal;
  readonly trades: TradeJournal;
  readonly snapshotPath: string;
  readonly manifest: LiveManifest | null;
  readonly log: Logger;
}

/**
 * Where rebuilding starts: the snapshot's state and the slot after it, else a fresh state from the
 * manifest's warmup start. A snapshot ahead of the journal, or rows with neither, is refused.
 */
function startingPoint(
  input: RestoreInput,
  snapshot: ReturnType<typeof readSnapshot>,
): { state: EngineState; from: number } {
  const { engine, decisions } = input;
  if (snapshot !== null) {
    const state = engine.restore(snapshot.engine);
    if (snapshot.journalLastTs > decisions.last && decisions.table.length > 0)
      throw new MjolnirError(
        'state_corrupt',
        `${input.snapshotPath} is ahead of ${decisions.path} (${snapshot.journalLastTs} > ${decisions.last})`,
      );
    return { state, from: state.lastTs + timeframe(input.key.timeframe).ms };
  }
  if (input.manifest === null)
    throw new MjolnirError(
      'state_corrupt',
      `${decisions.path} has rows but neither a state snapshot nor a LIVE manifest to rebuild from`,
    );
  return { state: engine.init(), from: input.manifest.warmup_from };
}

/**
 * The journal's rows from `from` re-derived: the lake's bars through the engine from `state`, with the
 * rows' host skips and kill-switch context, bar by bar (rows carry the features after each bar).
 */
async function replayRows(
  input: RestoreInput,
  state: EngineState,
  from: number,
  toVerify: readonly (DecisionRow & { line: number })[],
): Promise<{ rows: DecisionRow[]; trades: Trade[] }> {
  const { engine } = input;
  const byTs = new Map(toVerify.map((row) => [row.ts_ms as number, row]));
  const firstVerified = toVerify[0]!.ts_ms;
  const hostSkips = new Map(
    toVerify
      .filter((r) => HOST_SKIPS.has(r.reason))
      .map((r) => [r.ts_ms as number, r.reason as 'fetch_failed' | 'persist_failed']),
  );
  const collector = new RowCollector(input.stream, engine.spec.strategy, engine.fingerprint);
  const trades: Trade[] = [];
  const features = () => featuresCell(engine.spec.strategy.describe(state.features));
  replay(
    engine,
    state,
    {
      series: await input.lake.read(input.key, from, input.decisions.last),
      hostSkips,
      contextAt: (ts) => contextOf(byTs.get(ts), ts < firstVerified),
      barByBar: true,
    },
    (out, barIndex, bar) => {
      if (!out.accepted) return;
      const own = barIndex < 0 ? null : bar;
      writeStep(out, engine.spec.timeframe.ms, collector, own, own === null ? '' : features(), firstVerified);
      for (const event of out.events) if (event.kind === 'close') trades.push(event);
    },
  );
  return { rows: collector.take(), trades };
}

/** Each journal row must be the replay's: a difference is named with its line, and nothing resumes. */
function checkReplayed(
  path: string,
  toVerify: readonly (DecisionRow & { line: number })[],
  produced: readonly DecisionRow[],
): void {
  toVerify.forEach((row, i) => {
    const replayed = produced[i];
    if (replayed === undefined || !sameDecision(row, replayed))
      throw new MjolnirError(
        'state_corrupt',
        `${path}:${row.line}: replaying the lake does not reproduce this decision ` +
          `(journal: ${describeRow(row)}; replay: ${replayed ? describeRow(replayed) : 'nothing'}). ` +
          'The journal and the stored bars disagree; not resuming.',
      );
  });
}

/** Trades closed by the replayed decisions: those trades.csv lacks are appended, in order. Returns how many. */
function recoverTrades(input: RestoreInput, trades: readonly Trade[], firstVerified: number): number {
  const expected = trades.filter((t) => t.exit_ts_ms >= firstVerified).map((t) => tradeRow(input.stream, t));
  const present = input.trades.rows.filter((row) => row.exit_ts_ms >= firstVerified);
  present.forEach((row, i) => {
    if (expected[i] === undefined || !sameTrade(row, expected[i]!))
      throw new MjolnirError(
        'state_corrupt',
        `${input.trades.path}:${row.line}: trade not produced by replaying ${input.decisions.path}`,
      );
  });
  const missing = expected.slice(present.length);
  input.trades.append(missing);
  if (missing.length > 0)
    input.log.warn({ trades: missing.length }, 'Recovered trades a crash left out of trades.csv');
  return missing.length;
}

/**
 * Rebuilds a stream's engine state from disk: the last snapshot, then every journal row written after
 * it (a crash between the journal append and the snapshot) re-derived from the lake's bars and the
 * journal's host skips, each checked against the row as written. A difference means the journal and
 * the data disagree: the loop refuses to start rather than decide on a state it cannot vouch for.
 * Trades missing from trades.csv (a crash between the two appends) are appended; none is duplicated.
 * Returns null for a first start (no journal rows, no snapshot).
 */
export async function restoreState(input: RestoreInput): Promise<Restored | null> {
  const journal = input.decisions.table;
  const snapshot = readSnapshot(input.snapshotPath);
  if (snapshot === null && journal.length === 0) return null;
  const { state, from } = startingPoint(input, snapshot);
  // The rows the state does not include yet (after a crash between journal and snapshot; all of them
  // when rebuilding without a snapshot), read back whole to compare with the replay.
  const first = journal.firstFrom(from);
  const toVerify = Array.from({ length: journal.length - first }, (_, i) => journal.row(first + i));
  if (toVerify.length === 0) return { state, replayed: 0, recoveredTrades: 0 };
  const replayed = await replayRows(input, state, from, toVerify);
  checkReplayed(input.decisions.path, toVerify, replayed.rows);
  const recoveredTrades = recoverTrades(input, replayed.trades, toVerify[0]!.ts_ms);
  return { state, replayed: toVerify.length, recoveredTrades };
}
