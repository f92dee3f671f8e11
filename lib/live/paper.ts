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
import { createEngine, type EngineSpec } from '../engine/index.js';
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

/** A stream as the loop's lines name it: `<exchange> <symbol> <timeframe>`. */
const streamLabel = (s: Stream): string => `${s.exchange} ${s.symbol} ${s.timeframe}`;

/** Pause between polls: config `paper.poll_ms`, else a twentieth of a bar in exchange time, within [50 ms, 30 s]. */
export function pollInterval(config: Config): number {
  if (config.paper.poll_ms !== undefined) return config.paper.poll_ms;
  const rate = config.simulator?.speed ?? 1;
  return Math.min(30_000, Math.max(50, Math.round(timeframe(config.timeframe).ms / rate / 20)));
}

/** A request for real trading (DRY_RUN=0) is refused before anything starts. */
function refuseRealOrders(env: PaperOptions['env']): void {
  const dryRun = env['DRY_RUN'];
  if (dryRun !== undefined && /^(0|false|no)$/i.test(dryRun))
    throw new MjolnirError(
      'config_invalid',
      `DRY_RUN=${dryRun} asks for real orders: Mjölnir only paper-trades, refusing to start`,
    );
}

/** What every stream's loop runs with: the history it keeps, the runbook's forced failures, its bound. */
function settingsOf(options: PaperOptions, warmupBars: number): StreamSettings {
  const { config, env } = options;
  return {
    historyBars: Math.max(config.paper.history_bars, warmupBars + 1),
    ...(config.paper.warmup_from === undefined ? {} : { warmupFrom: config.paper.warmup_from }),
    fetchGraceBars: config.paper.fetch_grace_bars,
    forceFetchFail: flag(env['FORCE_FETCH_FAIL']),
    forcePersistFail: flag(env['FORCE_PERSIST_FAIL']),
    enforceMonotonic: flag(env['ENFORCE_DECISION_MONOTONIC']),
    ...(options.maxDecisions === undefined ? {} : { maxDecisions: options.maxDecisions }),
  };
}

/** A stream's own exchange client: retries worth a line while fetching works, FailureLog's once failing. */
function sourceOf(
  options: PaperOptions,
  stream: Stream,
  log: Logger,
  failures: FailureLog,
): MarketDataSource {
  return (
    options.sourceFor?.(options.config, stream) ??
    marketDataFor(options.config, {
      env: options.env,
      onRetry: (error, retry, delayMs) =>
        (failures.failing ? log.debug : log.warn).call(
          log,
          { code: error.code, retry, delay_ms: delayMs, error: error.message },
          'Exchange request failed; retrying',
        ),
    })
  );
}

/** Polls a stream's loop until the signal: one iteration per poll, a heartbeat line every HEARTBEAT_MS. */
async function poll(
  loop: StreamLoop,
  options: PaperOptions,
  log: Logger,
  onIteration: () => void,
): Promise<void> {
  const scheduler = options.scheduler ?? realScheduler;
  const every = pollInterval(options.config);
  let beat = scheduler.elapsed();
  let polls = 0;
  while (!options.signal.aborted) {
    const started = scheduler.elapsed();
    await loop.iterate();
    onIteration();
    polls++;
    if (started - beat >= HEARTBEAT_MS) {
      // The runbook's proof of life between decisions: the loop turns, and how far it has decided.
      const last = loop.lastDecided;
      log.info({ polls, last_decided: Number.isFinite(last) ? isoUtc(last) : null }, 'Heartbeat');
      beat = started;
      polls = 0;
    }
    await scheduler.sleep(Math.max(0, every - (scheduler.elapsed() - started)), options.signal);
  }
}

/**
 * One stream, on its own exchange client and lake connection (nothing shared can stall it): its
 * loop opened under the venue's statement where the config asks for it, then polled. Returns the
 * error it stopped on, logged, or null.
 */
async function runStream(
  options: PaperOptions,
  stream: Stream,
  spec: EngineSpec,
  settings: StreamSettings,
  onIteration: () => void,
): Promise<Error | null> {
  const { config } = options;
  const log = options.log.child({ stream: streamLabel(stream) });
  const fetchFailures = new FailureLog(log, 'Fetch', options.clock);
  const source = sourceOf(options, stream, log, fetchFailures);
  const lake = await Lake.open(options.dataRoot, {
    onWarning: ({ code, path, message }) => log.warn({ code, path }, message),
  });
  let loop: StreamLoop | null = null;
  try {
    const streamSpec = usesVenueRules(config)
      ? engineSpecOf(await withVenue(config, source, lake, stream, log), options.definition)
      : spec;
    loop = await StreamLoop.open({
      stream,
      engine: createEngine(streamSpec),
      source,
      lake,
      clock: options.clock,
      exchangeClock: new ExchangeClock(options.clock, config.simulator?.speed ?? 1),
      venue: venueFor(config),
      log,
      settings,
      fetchFailures,
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
    await poll(loop, options, log, onIteration);
    return null;
  } catch (error) {
    log.error({ code: (error as MjolnirError).code, error: (error as Error).message }, 'Stream stopped');
    return error as Error;
  } finally {
    loop?.close();
    lake.close();
    await source.close();
  }
}

/**
 * The LIVE paper loop over every stream of a config. Paper only: no code path places an order, and a
 * request for real trading (DRY_RUN=0) is refused before anything starts.
 */
export async function runPaper(options: PaperOptions): Promise<PaperOutcome> {
  const { config, log } = options;
  refuseRealOrders(options.env);
  // What does not depend on the venue's statement (warmup, the strategy); each stream's own in runStream.
  const spec = previewSpecOf(config, options.definition);
  const streams = streamsOf(config);
  const settings = settingsOf(options, spec.strategy.warmupBars);
  log.info(
    {
      streams: streams.map((s) => `${s.exchange} ${s.symbol} ${s.timeframe} -> ${s.tag}`),
      strategy: spec.strategy.id,
      ...(spec.strategy.modelId === undefined ? {} : { model_id: spec.strategy.modelId }),
      data_root: options.dataRoot,
      poll_ms: pollInterval(config),
      http: options.httpUrl ?? null,
      paper_only: true,
      force_fetch_fail: settings.forceFetchFail,
      force_persist_fail: settings.forcePersistFail,
    },
    'Trading system starting',
  );
  let iterations = 0;
  const stopped = await Promise.all(
    streams.map((stream) =>
      runStream(options, stream, spec, settings, () => {
        iterations++;
      }),
    ),
  );
  const failed = streams.flatMap((stream, i) => {
    const error = stopped[i]!;
    return error === null ? [] : [{ stream: streamLabel(stream), error }];
  });
  log.info({ iterations, failed: failed.length }, 'Shutdown complete');
  return { failed, iterations };
}
