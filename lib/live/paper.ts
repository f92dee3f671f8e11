import {
  type Config,
  engineSpecOf,
  previewSpecOf,
  type Stream,
  simulatorUrl,
  streamsOf,
  usesVenueRules,
  withVenueStatement,
} from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import { createEngine } from '../engine/index.js';
import { marketDataFor } from '../exchange/index.js';
import type { Venue } from '../journal/index.js';
import type { MarketDataSource, VenueStatement } from '../market/index.js';
import { Lake, readRulesSnapshot, recordRules } from '../store/index.js';
import type { StrategyDefinition } from '../strategy/index.js';
import { type Clock, isoUtc, realScheduler, type Scheduler, timeframe } from '../time/index.js';
import { ExchangeClock } from './exchange-clock.js';
import { FailureLog } from './failure-log.js';
import type { Logger } from './logger.js';
import type { LoopObserver } from './observer.js';
import { StreamLoop, type StreamSettings } from './stream-loop.js';

/** How a paper-loop process ended. */
export interface PaperOutcome {
  /** Streams that stopped on an error, with it. */
  readonly failed: readonly { stream: string; error: MjolnirError | Error }[];
  readonly iterations: number;
}

/** What the paper loop needs from its host (the CLI, or a test). */
export interface PaperOptions {
  readonly config: Config;
  readonly dataRoot: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborting it stops the loop gracefully after the iterations in flight. */
  readonly signal: AbortSignal;
  /** How polls are paced (default real timers; a TestClock drives the loop in-process). */
  readonly scheduler?: Scheduler;
  readonly sourceFor?: (config: Config, stream: Stream) => MarketDataSource;
  /** The strategy as an object (instead of the config's built-in or file), with the config's params. */
  readonly definition?: StrategyDefinition;
  /** Told of every recorded row and failure (the process's metrics). */
  readonly observer?: LoopObserver;
  /** Where the process serves /livez, /health and /metrics, named in the start line. */
  readonly httpUrl?: string;
  /** A bounded session (the demo): each stream decides this many slots, then only holds its stream. */
  readonly maxDecisions?: number;
}

const flag = (value: string | undefined) => value === '1' || value === 'true';

/** A heartbeat line this often (by the scheduler's time). */
export const HEARTBEAT_MS = 60_000;

/** The venue a config reads from: its ccxt class, the simulator's address and speed when it has one. */
export function venueFor(config: Config): Venue {
  return { exchange: config.exchange, url: simulatorUrl(config) ?? null, rate: config.simulator?.speed ?? 1 };
}

/**
 * The config with what the venue states for the stream's market (its rules, its taker fee), read now
 * through its API and stored in the lake with the venue's time, for backtests and eqflat to apply the
 * same; a change since the last read is logged. The venue unreachable at start: the statement read
 * last, said so; none stored, no trading. The LIVE manifest keeps what was applied (its spec).
 */
async function withVenue(
  config: Config,
  source: MarketDataSource,
  lake: Lake,
  stream: Stream,
  log: Logger,
): Promise<Config> {
  if (source.marketRules === undefined)
    throw new MjolnirError(
      'config_invalid',
      `the config asks for the venue's market rules or fees, but ${source.exchangeId} states none here`,
    );
  const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
  const where = `${source.exchangeId} ${stream.symbol}`;
  let read: VenueStatement;
  try {
    read = await source.marketRules(stream.symbol);
  } catch (error) {
    const stored = readRulesSnapshot(lake.layout, key);
    if (!(error instanceof MjolnirError) || error.category !== 'retryable' || stored === null) throw error;
    log.warn(
      { error: error.message, read_at: stored.read_at === null ? null : isoUtc(stored.read_at) },
      'Market rules not read: trading under the ones read last',
    );
    return withVenueStatement(config, stored, where);
  }
  const changes = recordRules(lake.layout, key, read);
  const fields = {
    rules: read.rules,
    fees: read.fees,
    read_at: read.readAt === null ? null : isoUtc(read.readAt),
  };
  if (changes.length > 0) log.warn({ ...fields, changes }, 'Market rules changed since the last read');
  else log.info(fields, 'Market rules read');
  return withVenueStatement(config, read, where);
}

/** Pause between polls: config `paper.poll_ms`, else a twentieth of a bar in exchange time, within [50 ms, 30 s]. */
export function pollInterval(config: Config): number {
  if (config.paper.poll_ms !== undefined) return config.paper.poll_ms;
  const rate = config.simulator?.speed ?? 1;
  return Math.min(30_000, Math.max(50, Math.round(timeframe(config.timeframe).ms / rate / 20)));
}

/**
 * The LIVE paper loop over every stream of a config. Paper only: no code path places an order, and a
 * request for real trading (DRY_RUN=0) is refused before anything starts.
 */
export async function runPaper(options: PaperOptions): Promise<PaperOutcome> {
  const { config, env, log, signal } = options;
  const scheduler = options.scheduler ?? realScheduler;
  const dryRun = env['DRY_RUN'];
  if (dryRun !== undefined && /^(0|false|no)$/i.test(dryRun)) {
    throw new MjolnirError(
      'config_invalid',
      `DRY_RUN=${dryRun} asks for real orders: Mjölnir only paper-trades, refusing to start`,
    );
  }
  // What does not depend on the venue's statement (warmup, the strategy); each stream's own below.
  const spec = previewSpecOf(config, options.definition);
  const streams = streamsOf(config);
  const settings: StreamSettings = {
    historyBars: Math.max(config.paper.history_bars, spec.strategy.warmupBars + 1),
    ...(config.paper.warmup_from === undefined ? {} : { warmupFrom: config.paper.warmup_from }),
    fetchGraceBars: config.paper.fetch_grace_bars,
    forceFetchFail: flag(env['FORCE_FETCH_FAIL']),
    forcePersistFail: flag(env['FORCE_PERSIST_FAIL']),
    enforceMonotonic: flag(env['ENFORCE_DECISION_MONOTONIC']),
    ...(options.maxDecisions === undefined ? {} : { maxDecisions: options.maxDecisions }),
  };
  const poll = pollInterval(config);
  log.info(
    {
      streams: streams.map((s) => `${s.exchange} ${s.symbol} ${s.timeframe} -> ${s.tag}`),
      strategy: spec.strategy.id,
      ...(spec.strategy.modelId === undefined ? {} : { model_id: spec.strategy.modelId }),
      data_root: options.dataRoot,
      poll_ms: poll,
      http: options.httpUrl ?? null,
      paper_only: true,
      force_fetch_fail: settings.forceFetchFail,
      force_persist_fail: settings.forcePersistFail,
    },
    'Trading system starting',
  );

  const failed: { stream: string; error: MjolnirError | Error }[] = [];
  let iterations = 0;
  const runStream = async (stream: Stream) => {
    const name = `${stream.exchange} ${stream.symbol} ${stream.timeframe}`;
    const streamLog = log.child({ stream: name });
    // Each stream has its own exchange client and lake connection: nothing shared can stall it.
    const fetchFailures = new FailureLog(streamLog, 'Fetch', options.clock);
    const source =
      options.sourceFor?.(config, stream) ??
      marketDataFor(config, {
        env,
        // Retries are worth a line while fetching works; once it is failing, FailureLog reports it.
        onRetry: (error, retry, delayMs) =>
          (fetchFailures.failing ? streamLog.debug : streamLog.warn).call(
            streamLog,
            { code: error.code, retry, delay_ms: delayMs, error: error.message },
            'Exchange request failed; retrying',
          ),
      });
    const lake = await Lake.open(options.dataRoot, {
      onWarning: ({ code, path, message }) => streamLog.warn({ code, path }, message),
    });
    let loop: StreamLoop | null = null;
    try {
      const streamSpec = usesVenueRules(config)
        ? engineSpecOf(await withVenue(config, source, lake, stream, streamLog), options.definition)
        : spec;
      loop = await StreamLoop.open({
        stream,
        engine: createEngine(streamSpec),
        source,
        lake,
        clock: options.clock,
        exchangeClock: new ExchangeClock(options.clock, config.simulator?.speed ?? 1),
        venue: venueFor(config),
        log: streamLog,
        settings,
        fetchFailures,
        ...(options.observer === undefined ? {} : { observer: options.observer }),
      });
      let beat = scheduler.elapsed();
      let polls = 0;
      while (!signal.aborted) {
        const started = scheduler.elapsed();
        await loop.iterate();
        iterations++;
        polls++;
        if (started - beat >= HEARTBEAT_MS) {
          // The runbook's proof of life between decisions: the loop turns, and how far it has decided.
          const last = loop.lastDecided;
          streamLog.info({ polls, last_decided: Number.isFinite(last) ? isoUtc(last) : null }, 'Heartbeat');
          beat = started;
          polls = 0;
        }
        await scheduler.sleep(Math.max(0, poll - (scheduler.elapsed() - started)), signal);
      }
    } catch (error) {
      streamLog.error(
        { code: (error as MjolnirError).code, error: (error as Error).message },
        'Stream stopped',
      );
      failed.push({ stream: name, error: error as Error });
    } finally {
      loop?.close();
      lake.close();
      await source.close();
    }
  };
  await Promise.all(streams.map(runStream));
  log.info({ iterations, failed: failed.length }, 'Shutdown complete');
  return { failed, iterations };
}
