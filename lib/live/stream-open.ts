/** Opening a stream: what it is opened with, its lock (one loop per stream), what dead writers left, its journals, its state. */
import { dirname } from 'node:path';
import type { Stream } from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import { DecisionJournal, readManifest, TradeJournal, type Venue } from '../journal/index.js';
import type { MarketDataSource } from '../market/index.js';
import { FileLock, type Lake, removeDeadTemporaries } from '../store/index.js';
import type { Clock } from '../time/index.js';
import type { ExchangeClock } from './exchange-clock.js';
import type { FailureLog } from './failure-log.js';
import type { Logger } from './logger.js';
import type { LoopObserver } from './observer.js';
import { type Restored, restoreState } from './restore.js';
import { RunRecord } from './run-record.js';

/** How one stream's loop behaves (config `paper:` and the runbooks' environment variables). */
export interface StreamSettings {
  readonly historyBars: number;
  readonly warmupFrom?: number;
  readonly fetchGraceBars: number;
  /** FORCE_FETCH_FAIL=1: every fetch fails (runbook 003). */
  readonly forceFetchFail: boolean;
  /** FORCE_PERSIST_FAIL=1: every lake write fails (runbook 003). */
  readonly forcePersistFail: boolean;
  /** ENFORCE_DECISION_MONOTONIC=1: a non-monotonic journal write fails fast. */
  readonly enforceMonotonic: boolean;
  /**
   * A bounded session (the demo): decide this many slots in this process, then only hold the stream
   * (keep its lock, decide nothing more) until stopped. Absent: no bound.
   */
  readonly maxDecisions?: number;
}

/** What one stream's loop needs; everything with a side effect is passed in. */
export interface StreamDeps {
  readonly stream: Stream;
  readonly engine: Engine;
  readonly source: MarketDataSource;
  readonly lake: Lake;
  readonly clock: Clock;
  readonly exchangeClock: ExchangeClock;
  /** The venue bars and the time come from, recorded in the run manifest at each start. */
  readonly venue: Venue;
  readonly log: Logger;
  readonly settings: StreamSettings;
  /** The state of fetching (shared with the source's retry reports); one is made when absent. */
  readonly fetchFailures?: FailureLog;
  /** Told of every recorded row and failure (metrics). */
  readonly observer?: LoopObserver;
}

/**
 * Takes a stream's lock (one loop per stream), reporting a stale one taken over, and removes what
 * dead writers left in the stream's directories (temporary files of a crash or a full disk).
 */
export function takeStreamLock(deps: StreamDeps): FileLock {
  const { stream, lake, log } = deps;
  const layout = lake.layout;
  const path = layout.streamLock(stream.tag, stream.symbol, stream.timeframe);
  const lock = FileLock.tryAcquire(path, {
    onTakeover: ({ why, previous }) => log.warn({ lock: path, why, previous }, 'Took over a stale lock'),
  });
  if (!(lock instanceof FileLock)) {
    const who = lock.owner === null ? 'a process starting' : `pid ${lock.owner.pid}`;
    throw new MjolnirError('lock_busy', `another loop (${who}) runs this stream: ${path}`);
  }
  const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
  const dirs = [
    layout.rawDir(key),
    dirname(layout.liveManifest(stream.tag, stream.symbol, stream.timeframe)),
    dirname(layout.engineState(stream.tag, stream.symbol, stream.timeframe)),
  ];
  for (const dir of dirs) {
    const removed = removeDeadTemporaries(dir);
    if (removed.length > 0) log.warn({ dir, files: removed }, 'Removed temporary files of a dead writer');
  }
  return lock;
}

/**
 * The stream's journals opened for appending (a torn last line, left by a crash, cut and said so);
 * a non-monotonic row is refused and logged, or fails fast under ENFORCE_DECISION_MONOTONIC.
 */
export function openJournals(deps: StreamDeps): { decisions: DecisionJournal; trades: TradeJournal } {
  const { stream, log } = deps;
  const layout = deps.lake.layout;
  const decisions = DecisionJournal.open(layout.decisions(stream.tag, stream.symbol, stream.timeframe), {
    enforce: deps.settings.enforceMonotonic,
    onRefused: (row, last) =>
      log.error({ ts_ms: row.ts_ms, last_ts_ms: last }, 'Refused a non-monotonic decision (not written)'),
  });
  if (decisions.cutBytes > 0)
    log.warn({ file: decisions.path, bytes: decisions.cutBytes }, 'Cut a torn last line left by a crash');
  try {
    const trades = TradeJournal.open(layout.trades(stream.tag, stream.symbol, stream.timeframe));
    if (trades.cutBytes > 0)
      log.warn({ file: trades.path, bytes: trades.cutBytes }, 'Cut a torn last line left by a crash');
    return { decisions, trades };
  } catch (error) {
    decisions.close();
    throw error;
  }
}

/** A stream opened: its lock, journals, the state rebuilt from them (null on a first start), its run record. */
export interface OpenedStream {
  readonly lock: FileLock;
  readonly decisions: DecisionJournal;
  readonly trades: TradeJournal;
  readonly restored: Restored | null;
  readonly record: RunRecord;
  /** Closes the journals and releases the lock (a start that failed after opening). */
  close(): void;
}

/**
 * Opens a stream: takes its lock, opens its journals, rebuilds the engine state from them (the
 * snapshot, then the rows after it replayed and checked: see restoreState) and its run record. On
 * any failure what was opened is closed and the lock released.
 */
export async function openStream(deps: StreamDeps): Promise<OpenedStream> {
  const { stream, lake, log } = deps;
  const layout = lake.layout;
  const lock = takeStreamLock(deps);
  let journals: { decisions: DecisionJournal; trades: TradeJournal } | null = null;
  const close = () => {
    journals?.decisions.close();
    journals?.trades.close();
    lock.release();
  };
  try {
    journals = openJournals(deps);
    const manifestPath = layout.liveManifest(stream.tag, stream.symbol, stream.timeframe);
    const manifest = readManifest(manifestPath);
    const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
    const restored = await restoreState({
      engine: deps.engine,
      stream: key,
      key,
      lake,
      ...journals,
      snapshotPath: layout.engineState(stream.tag, stream.symbol, stream.timeframe),
      manifest,
      log,
    });
    const record = new RunRecord(manifestPath, manifest, log, deps.clock, deps.venue);
    return { lock, ...journals, restored, record, close };
  } catch (error) {
    close();
    throw error;
  }
}
