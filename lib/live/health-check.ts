import { type Config, streamsOf } from '../config/index.js';
import { CcxtMarketData } from '../exchange/index.js';
import {
  evaluateHealth,
  gatherHealth,
  type HealthOptions,
  type HealthReport,
  type LiveStream,
  liveStreams,
  machineTime,
  type VenueTime,
  venueWords,
} from '../health/index.js';
import type { Venue } from '../journal/index.js';
import type { MarketKey } from '../market/index.js';
import type { Lake } from '../store/index.js';
import { type Clock, timeframe } from '../time/index.js';
import { venueFor } from './paper.js';

/** How a healthcheck learns the time of a stream's venue. */
export type VenueTimeOf = (stream: LiveStream, venue: Venue | null) => Promise<VenueTime>;

/** What a healthcheck needs from its host. */
export interface CheckHealthOptions {
  readonly root: string;
  /** Only this config's streams; null: every LIVE stream under the root. */
  readonly config: Config | null;
  readonly lake: Lake;
  readonly clock: Clock;
  /** Each stream's clock (`VenueClocks.timeOf` out of the process; the loops' own estimates in it). */
  readonly timeOf: VenueTimeOf;
  readonly options: HealthOptions;
}

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
 * The healthcheck: the streams' facts read from the tails of their files and the lake, each judged by
 * its venue's clock (`timeOf`), else the machine's, said so.
 */
export async function checkHealth(host: CheckHealthOptions): Promise<HealthReport> {
  const facts = await gatherHealth(host.root, streamsToJudge(host.root, host.config), {
    wallNow: host.clock.now(),
    timeOf: host.timeOf,
    rawTail: (key) => rawTail(host.lake, key),
  });
  return evaluateHealth(facts, host.options);
}

/** How long a venue may take to tell its time before it counts as unreachable. */
const VENUE_TIMEOUT_MS = 3_000;

/**
 * The venues' clocks as a healthcheck outside the paper process asks them: the config's venue when
 * one is given, else the venue each stream's run manifest recorded at its last start (a simulator's
 * address and speed included), else none (this machine's clock, said so). One client per venue, kept
 * while the checker lives (the dashboard asks every few seconds); one request per venue per check.
 */
export class VenueClocks {
  private readonly sources = new Map<string, CcxtMarketData>();

  constructor(
    private readonly clock: Clock,
    private readonly config: Config | null,
  ) {}

  /** A `timeOf` for one check: venues shared by several streams are asked once. */
  forCheck(): VenueTimeOf {
    const asked = new Map<string, Promise<VenueTime>>();
    return (_stream, recorded) => {
      // A config given names the venue to ask (the operator's word); else the run's own record.
      const venue = this.config === null ? recorded : venueFor(this.config);
      if (venue === null) return Promise.resolve(machineTime(this.clock.now(), null));
      const key = venueWords(venue);
      let time = asked.get(key);
      if (time === undefined) {
        time = this.ask(venue);
        asked.set(key, time);
      }
      return time;
    };
  }

  private async ask(venue: Venue): Promise<VenueTime> {
    const words = venueWords(venue);
    let source = this.sources.get(words);
    if (source === undefined) {
      source = new CcxtMarketData({
        exchange: venue.exchange,
        ...(venue.url === null ? {} : { simulatorUrl: venue.url }),
        timeoutMs: VENUE_TIMEOUT_MS,
        retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
      this.sources.set(words, source);
    }
    try {
      const now = await source.fetchServerTime();
      if (now === null) return machineTime(this.clock.now(), venue, null);
      return { now, source: 'exchange', reachable: true, rate: venue.rate, venue: words };
    } catch {
      // The venue did not answer in time (or at all): judged by the machine's clock, said unreachable.
      return machineTime(this.clock.now(), venue, false);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.close()));
    this.sources.clear();
  }
}
