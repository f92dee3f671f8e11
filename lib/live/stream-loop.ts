import { MjolnirError } from '../core/index.js';
import type { EngineState } from '../engine/index.js';
import { describeSpec, type EngineContext, WARMUP } from '../engine/index.js';
import { machineTime, streamName, type VenueTime, venueWords } from '../health/index.js';
import { type DecisionJournal, type DecisionRow, type TradeJournal, tradeRow } from '../journal/index.js';
import type { Bar, MarketKey } from '../market/index.js';
import { closedBars, countFlags, type FlaggedRow } from '../market/index.js';
import { readKillSwitch } from '../risk/index.js';
import type { FileLock } from '../store/index.js';
import { alignDown, isoUtc, type Timeframe, timeframe } from '../time/index.js';
import { Decider, type Fed } from './decider.js';
import { FailureLog } from './failure-log.js';
import type { Logger } from './logger.js';
import { writeSnapshot } from './persistence.js';
import type { RunRecord } from './run-record.js';
import { openStream, type StreamDeps } from './stream-open.js';

export type { StreamDeps, StreamSettings } from './stream-open.js';

/** What an iteration did. */
export interface IterationReport {
  readonly fetched: number;
  readonly decided: number;
  readonly failure: 'fetch' | 'persist' | null;
}

/**
 * One (exchange, symbol, timeframe) stream of the paper loop. Each iteration: fetch recent bars
 * (from the last decision on, paging through any downtime), persist them, drop the newest (possibly
 * in progress), decide every closed bar newer than the last decision in order, append the decisions
 * and then the trades durably, then snapshot the engine state. The decisions journal is the commit
 * point: a crash anywhere leaves a state `restoreState` rebuilds exactly.
 */
export class StreamLoop {
  private readonly key: MarketKey;
  private readonly tf: Timeframe;
  private readonly log: Logger;
  private readonly snapshotPath: string;
  private decider: Decider | null;
  private iterations = 0;
  private readonly fetchFailures: FailureLog;
  private readonly persistFailures: FailureLog;
  private readonly snapshotFailures: FailureLog;
  /** When the bars being decided were fetched (the injected clock), for the decision latency. */
  private fetchedAt: number | null = null;
  /** Rows this process has recorded (what `maxDecisions` bounds). */
  private recorded = 0;

  private constructor(
    private readonly deps: StreamDeps,
    private readonly lock: FileLock,
    private readonly decisions: DecisionJournal,
    private readonly trades: TradeJournal,
    state: EngineState | null,
    private readonly record: RunRecord,
  ) {
    const { stream } = deps;
    this.key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
    this.tf = timeframe(stream.timeframe);
    this.log = deps.log;
    const layout = deps.lake.layout;
    this.snapshotPath = layout.engineState(stream.tag, stream.symbol, stream.timeframe);
    this.decider = state === null ? null : new Decider(deps.engine, state, this.journalStream);
    this.fetchFailures = deps.fetchFailures ?? new FailureLog(deps.log, 'Fetch', deps.clock);
    this.persistFailures = new FailureLog(deps.log, 'Persist', deps.clock);
    this.snapshotFailures = new FailureLog(deps.log, 'State snapshot', deps.clock);
    deps.observer?.streamOpened(this.label, {
      lastDecided: () => this.lastDecided,
      exchangeNow: () => deps.exchangeClock.now(),
      venueTime: () => this.venueTime(),
    });
  }

  /** The stream as metrics, health and the dashboard name it: `<tag> <symbol> <timeframe>`. */
  get label(): string {
    return streamName(this.deps.stream);
  }

  /** The venue's clock as the loop knows it (its own readings, carried forward), for health. */
  venueTime(): VenueTime {
    const { exchangeClock: clock, venue, clock: wall } = this.deps;
    if (!clock.known) return machineTime(wall.now(), venue, clock.answering);
    return {
      now: clock.now(),
      source: 'exchange',
      reachable: clock.answering,
      rate: clock.rate,
      venue: venueWords(venue),
    };
  }

  /** Whether a bounded session has decided all it was asked to (the loop then only holds the stream). */
  get done(): boolean {
    const max = this.deps.settings.maxDecisions;
    return max !== undefined && this.recorded >= max;
  }

  /** Close time of the last slot decided (-Infinity before the first). */
  get lastDecided(): number {
    return this.decider?.state.lastTs ?? Number.NEGATIVE_INFINITY;
  }

  private get journalStream() {
    const { exchange, symbol, timeframe: tf } = this.deps.stream;
    return { exchange, symbol, timeframe: tf };
  }

  /** Takes the stream's lock, opens its journals and rebuilds its state from disk. */
  static async open(deps: StreamDeps): Promise<StreamLoop> {
    const opened = await openStream(deps);
    const { lock, decisions, trades, restored, record } = opened;
    try {
      const loop = new StreamLoop(deps, lock, decisions, trades, restored?.state ?? null, record);
      if (restored !== null) {
        deps.log.info(
          {
            last_decision: isoUtc(decisions.last),
            replayed: restored.replayed,
            recovered_trades: restored.recoveredTrades,
          },
          'Resumed from the journal',
        );
        if (restored.replayed > 0) loop.snapshot();
        record.started(decisions.last);
      }
      return loop;
    } catch (error) {
      opened.close();
      throw error;
    }
  }

  /** One poll. Retryable failures are handled (and recorded as skips when due); others are thrown. */
  async iterate(): Promise<IterationReport> {
    if (this.done) return { fetched: 0, decided: 0, failure: null };
    await this.observeExchangeTime();
    this.fetchedAt = null;
    let fetched: Bar[];
    try {
      fetched = await this.fetch();
      this.fetchedAt = this.deps.clock.now();
    } catch (error) {
      if (!(error instanceof MjolnirError) || error.category === 'invariant') throw error;
      this.fetchFailures.failed(error);
      this.deps.observer?.fetchFailed(this.label, error.code);
      if (error.category === 'operator') throw error;
      return { fetched: 0, decided: this.recordFetchFailures(), failure: 'fetch' };
    }
    this.fetchFailures.succeeded();
    const closed = closedBars(fetched);
    const last = this.decider?.state.lastTs ?? Number.NEGATIVE_INFINITY;
    const fresh = closed.filter((bar) => !(bar.ts <= last));
    const fetchedFields = {
      bars: fetched.length,
      closed: closed.length,
      new: fresh.length,
      newest_closed: closed.length > 0 ? isoUtc(closed.at(-1)!.ts) : null,
    };
    // The runbook's milestone at info when something is new; a poll that brings nothing is debug.
    if (fresh.length > 0) this.log.info(fetchedFields, 'Fetched market data');
    else this.log.debug(fetchedFields, 'Fetched market data');
    if (fresh.length === 0) return { fetched: fetched.length, decided: 0, failure: null };
    const persisted = await this.persist(closed);
    if (this.decider === null) {
      // A first start needs its warmup bars stored, so a backtest can start where this run did.
      if (!persisted) return { fetched: fetched.length, decided: 0, failure: 'persist' };
      this.start(fresh);
    }
    const decided = this.decide(fresh, persisted);
    this.record.decided(decided, this.decisions.last);
    return { fetched: fetched.length, decided, failure: persisted ? null : 'persist' };
  }

  private async observeExchangeTime(): Promise<void> {
    // A simulator's clock runs at its own speed: read it every poll. A real exchange's is ours, give or
    // take drift: every 20th poll is plenty. FORCE_FETCH_FAIL applies to market data, not the clock.
    if (this.deps.exchangeClock.rate === 1 && this.iterations++ % 20 !== 0) return;
    try {
      const time = await this.deps.source.fetchServerTime();
      if (time !== null) this.deps.exchangeClock.observe(time);
    } catch (error) {
      // Best effort: the estimate carries forward from the last observation (the cause at debug level).
      this.log.debug({ error: (error as Error).message }, 'Exchange time not read');
      this.deps.exchangeClock.unanswered();
    }
  }

  private async fetch(): Promise<Bar[]> {
    if (this.deps.settings.forceFetchFail) {
      throw new MjolnirError('exchange_unavailable', 'FORCE_FETCH_FAIL=1: fetch forced to fail');
    }
    const { source, stream, settings } = this.deps;
    const flags: FlaggedRow[] = [];
    let since: number | undefined;
    if (this.decider !== null) since = this.decider.state.lastTs + this.tf.ms;
    else if (settings.warmupFrom !== undefined) since = settings.warmupFrom;
    const bars: Bar[] = [];
    if (since === undefined) {
      const page = await source.fetchBars(stream.symbol, this.tf, undefined, settings.historyBars + 1);
      bars.push(...page.bars);
      flags.push(...page.flags);
    } else {
      // From the last decision on, page by page through any downtime, until the newest bar.
      for (let cursor = since; ; ) {
        const page = await source.fetchBars(stream.symbol, this.tf, cursor, source.maxBarsPerRequest);
        const newer = page.bars.filter((bar) => bar.ts >= cursor);
        bars.push(...newer);
        flags.push(...page.flags);
        if (page.bars.length < source.maxBarsPerRequest || newer.length === 0) break;
        cursor = newer.at(-1)!.ts + this.tf.ms;
      }
    }
    if (flags.length > 0)
      this.log.warn({ flags: countFlags(flags), first: flags[0] }, 'Exchange data flagged');
    return bars;
  }

  private async persist(bars: readonly Bar[]): Promise<boolean> {
    try {
      if (this.deps.settings.forcePersistFail) {
        throw new MjolnirError('storage_failed', 'FORCE_PERSIST_FAIL=1: persist forced to fail');
      }
      const report = await this.deps.lake.write(this.key, bars);
      this.persistFailures.succeeded();
      this.log.info(
        { bars: bars.length, partitions_written: report.written, unchanged: report.unchanged.length },
        'Persisted bars',
      );
      return true;
    } catch (error) {
      if (!(error instanceof MjolnirError) || error.category === 'invariant') throw error;
      // Storage errors (a full disk, a read-only mount, a lock) skip the bars and the loop goes on.
      this.persistFailures.failed(error);
      this.deps.observer?.persistFailed(this.label);
      return false;
    }
  }

  /** A first start: warm up on all but the newest closed bar, decide that one; record where it began. */
  private start(fresh: readonly Bar[]): void {
    const { stream, engine } = this.deps;
    const state = engine.init();
    this.decider = new Decider(engine, state, this.journalStream);
    const warmupFrom = fresh[0]!.ts;
    const firstDecision = fresh.at(-1)!.ts;
    this.record.begin({
      kind: 'live',
      run_id: this.deps.lake.layout.liveRunId(stream.tag, stream.symbol, stream.timeframe),
      tag: stream.tag,
      exchange: stream.exchange,
      symbol: stream.symbol,
      timeframe: stream.timeframe,
      spec: engine.fingerprint,
      config: describeSpec(engine.spec),
      warmup_from: warmupFrom,
      first_decision_ts: firstDecision,
      starts: [],
      status: 'running',
    });
    for (const bar of fresh.slice(0, -1)) this.decider.bar(bar, WARMUP);
    this.log.info(
      {
        warmup_bars: fresh.length - 1,
        warmup_from: isoUtc(warmupFrom),
        first_decision: isoUtc(firstDecision),
      },
      'Warmed up',
    );
    const stable = this.deps.engine.spec.strategy.stableWarmupBars;
    if (fresh.length - 1 < stable)
      this.log.warn(
        { warmup_bars: fresh.length - 1, stable_warmup_bars: stable },
        'Warmup shorter than the strategy needs to forget its seed: early decisions depend on where it began',
      );
  }

  private decide(fresh: readonly Bar[], persisted: boolean): number {
    const decider = this.decider!;
    const context: EngineContext = readKillSwitch(this.deps.lake.layout.killSwitch());
    if (context.killSwitch) this.log.warn({ flatten: context.flatten }, 'Kill switch is on: no new entries');
    const rows: DecisionRow[] = [];
    const trades: Fed['trades'] = [];
    const room = (this.deps.settings.maxDecisions ?? Number.POSITIVE_INFINITY) - this.recorded;
    for (const bar of fresh) {
      if (rows.length >= room) break;
      if (bar.ts <= decider.state.lastTs) continue;
      // A bar that could not be stored is not decided on: LIVE and a backtest must see the same bars.
      const fed = persisted ? decider.bar(bar, context) : decider.skip(bar.ts, 'persist_failed');
      rows.push(...fed.decisions);
      trades.push(...fed.trades);
    }
    return this.commit(rows, trades);
  }

  /** Journal first (the commit point), then trades, then the snapshot. */
  private commit(rows: readonly DecisionRow[], trades: Fed['trades']): number {
    const written = this.decisions.append(rows);
    this.recorded += written.length;
    const durableAt = this.deps.clock.now();
    for (const row of written) {
      this.log.info(
        {
          ts_ms: row.ts_ms,
          bar_time: isoUtc(row.ts_ms),
          action: row.action,
          reason: row.reason,
          position: row.position,
        },
        'Decision recorded',
      );
    }
    this.trades.append(trades.map((trade) => tradeRow(this.journalStream, trade)));
    const fetched = written.some((row) => row.reason !== 'fetch_failed') ? this.fetchedAt : null;
    this.deps.observer?.recorded(
      this.label,
      written,
      fetched === null ? null : Math.max(0, durableAt - fetched),
    );
    this.snapshot();
    return written.length;
  }

  /** After a failed fetch: slots whose bars are overdue by the grace period get `fetch_failed`. */
  private recordFetchFailures(): number {
    const decider = this.decider;
    if (decider === null || !this.deps.exchangeClock.known) return 0;
    const dueUntil = alignDown(
      this.deps.exchangeClock.now() - this.deps.settings.fetchGraceBars * this.tf.ms,
      this.tf,
    );
    const rows: DecisionRow[] = [];
    for (let ts = decider.state.lastTs + this.tf.ms; ts <= dueUntil; ts += this.tf.ms) {
      rows.push(...decider.skip(ts, 'fetch_failed').decisions);
    }
    return rows.length === 0 ? 0 : this.commit(rows, []);
  }

  /**
   * The snapshot only saves replaying at the next start (the journal is the state): one that cannot be
   * written is reported and the loop goes on.
   */
  private snapshot(): void {
    if (this.decider === null) return;
    try {
      writeSnapshot(this.snapshotPath, this.decisions.last, this.deps.engine.serialize(this.decider.state));
      this.snapshotFailures.succeeded();
    } catch (error) {
      if (!(error instanceof MjolnirError) || error.category === 'invariant') throw error;
      this.snapshotFailures.failed(error);
    }
  }

  /** Closes the journals and releases the stream; the state on disk is already durable. */
  close(): void {
    try {
      this.record.stopped();
    } finally {
      this.decisions.close();
      this.trades.close();
      this.lock.release();
    }
  }
}
