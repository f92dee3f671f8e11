import { type Config, streamsOf } from '../config/index.js';
import { marketDataFor } from '../exchange/index.js';
import {
  evaluateHealth,
  gatherHealth,
  type HealthOptions,
  type HealthReport,
  type LiveStream,
  liveStreams,
} from '../health/index.js';
import type { MarketKey } from '../market/index.js';
import type { Lake } from '../store/index.js';
import { type Clock, timeframe } from '../time/index.js';

/** What a healthcheck needs from its host. */
export interface CheckHealthOptions {
  readonly root: string;
  /** Only this config's streams, judged by its exchange's time; null: every LIVE stream under the root. */
  readonly config: Config | null;
  readonly lake: Lake;
  readonly clock: Clock;
  /** The exchange's time, or null when it does not answer (not asked without a config). */
  readonly exchangeTime: () => Promise<number | null>;
  readonly options: HealthOptions;
}

/** The report, and which clock judged the slots. */
export type HealthCheck = HealthReport & { readonly clock: 'exchange' | 'machine' };

/** The streams a healthcheck judges. */
export function streamsToJudge(root: string, config: Config | null): LiveStream[] {
  return config === null
    ? liveStreams(root)
    : streamsOf(config).map((s) => ({ tag: s.tag, symbol: s.symbol, timeframe: s.timeframe }));
}

/** The newest raw bar and the volumes of the last dozen, from the lake. */
async function rawTail(lake: Lake, key: MarketKey) {
  const last = (await lake.bounds(key))?.last;
  if (last === undefined) return null;
  const bars = await lake.read(key, last - 11 * timeframe(key.timeframe).ms, last);
  return { last, volumes: [...bars.volume.subarray(0, bars.length)] };
}

/**
 * The healthcheck as `mjolnir health` and the paper process's `GET /health` run it: the streams'
 * facts read from the tails of their files and the lake, judged by the exchange's time when it
 * answers, else the machine's.
 */
export async function checkHealth(host: CheckHealthOptions): Promise<HealthCheck> {
  const wallNow = host.clock.now();
  const exchangeNow = host.config === null ? null : await host.exchangeTime();
  const facts = await gatherHealth(host.root, streamsToJudge(host.root, host.config), {
    now: exchangeNow ?? wallNow,
    wallNow,
    rawTail: (key) => rawTail(host.lake, key),
    exchangeReachable: host.config === null ? null : exchangeNow !== null,
  });
  const report = evaluateHealth(facts, host.options);
  return { ...report, clock: exchangeNow === null ? 'machine' : 'exchange' };
}

/** The exchange's time by a client of its own (a simulator's runs fast), or null when it does not answer. */
export function exchangeTimeOf(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): () => Promise<number | null> {
  return async () => {
    const source = marketDataFor(config, { env });
    try {
      return await source.fetchServerTime();
    } catch {
      return null;
    } finally {
      await source.close();
    }
  };
}
