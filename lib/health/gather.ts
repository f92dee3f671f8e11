import { statSync } from 'node:fs';
import { hasErrorCode, isSystemError } from '../core/index.js';
import {
  DataLayout,
  type EqflatVerdict,
  type LiveManifest,
  readEqflatVerdict,
  readManifest,
  trailingDecisions,
  type Venue,
} from '../journal/index.js';
import type { MarketKey } from '../market/index.js';
import { readKillSwitch } from '../risk/index.js';
import type { TimeframeLabel } from '../time/index.js';
import type { HealthFacts, Restart, StreamFacts, VenueTime } from './evaluate.js';

/** A LIVE stream under a data root. */
export interface LiveStream {
  readonly tag: string;
  readonly symbol: string;
  readonly timeframe: TimeframeLabel;
}

/** A stream as health, the metrics and the dashboard name it: `<tag> <symbol> <timeframe>`. */
export const streamName = (s: LiveStream): string => `${s.tag} ${s.symbol} ${s.timeframe}`;

/** Every LIVE stream with a decisions journal under `root` (backtest tags, `<tag>_bt_<RUNID>`, left out). */
export function liveStreams(root: string): LiveStream[] {
  return new DataLayout(root).journalStreams().filter((s) => !s.tag.includes('_bt_'));
}

/** The end of a stream's raw bars, as the lake (DuckDB, a host's) tells it. */
export interface RawTail {
  readonly last: number;
  readonly volumes: readonly number[];
}

/** What the host knows besides the files: the clocks, and the newest raw bar (the lake, which needs DuckDB). */
export interface GatherOptions {
  /** The machine's time, for file ages (the lock's heartbeat) and the report. */
  readonly wallNow: number;
  /**
   * The clock to judge a stream by, given the venue its run manifest recorded (null when none is):
   * the venue's time when it answers, else this machine's, said so.
   */
  readonly timeOf: (stream: LiveStream, venue: Venue | null) => Promise<VenueTime>;
  /** The newest raw bar's close time and the volumes of the last few bars (a quiet market), or null when none. */
  readonly rawTail: (key: MarketKey) => Promise<RawTail | null>;
  /** Trailing rows read (cost follows this, not the journal's length). */
  readonly rows?: number;
}

/** This machine's clock, for a stream whose venue is not known or not asked. */
export const machineTime = (
  now: number,
  venue: Venue | null,
  reachable: boolean | null = null,
): VenueTime => ({
  now,
  source: 'machine',
  reachable,
  rate: venue?.rate ?? 1,
  venue: venue === null ? 'unknown' : venueWords(venue),
});

/** A venue in words: its ccxt class, and the simulator's address when it is one. */
export const venueWords = (venue: Venue): string =>
  venue.url === null ? venue.exchange : `${venue.exchange} at ${venue.url}`;

/** The facts health judges, read from the tails of the files (never whole journals). */
export async function gatherHealth(
  root: string,
  streams: readonly LiveStream[],
  options: GatherOptions,
): Promise<HealthFacts> {
  const layout = new DataLayout(root);
  const facts: StreamFacts[] = [];
  for (const s of streams) {
    const { rows: decisions, bad } = trailingDecisions(
      layout.decisions(s.tag, s.symbol, s.timeframe),
      options.rows ?? 288,
    );
    const manifest = liveManifestOf(layout, s);
    // The venue is in every row (the simulator's bars are `sim`, whatever the config's exchange).
    const venueName = decisions.at(-1)?.exchange ?? manifest?.exchange ?? null;
    const key = venueName === null ? null : { exchange: venueName, symbol: s.symbol, timeframe: s.timeframe };
    const raw = key === null ? null : await options.rawTail(key);
    facts.push({
      ...s,
      time: await options.timeOf(s, manifest?.starts.at(-1)?.venue ?? null),
      decisions,
      badLines: bad,
      firstDecisionTs: manifest?.first_decision_ts ?? null,
      venueName,
      newestRawTs: raw?.last ?? null,
      ...lockTimes(layout.streamLock(s.tag, s.symbol, s.timeframe), options.wallNow),
      recentVolumes: raw?.volumes ?? [],
      restart: lastRestart(manifest),
      eqflat: lastEqflat(layout, s),
    });
  }
  return { now: options.wallNow, killSwitch: readKillSwitch(layout.killSwitch()), streams: facts };
}

/**
 * The lock's age since its last refresh (the heartbeat), and how long its holder has held it (the
 * file's birth, where the filesystem records one); nulls without a lock.
 */
function lockTimes(path: string, now: number): { lockAgeMs: number | null; heldForMs: number | null } {
  try {
    const stat = statSync(path);
    return {
      lockAgeMs: Math.max(0, now - stat.mtimeMs),
      heldForMs: stat.birthtimeMs > 0 ? Math.max(0, now - stat.birthtimeMs) : null,
    };
  } catch (error) {
    // No lock: no loop holds the stream.
    if (isSystemError(error, 'ENOENT')) return { lockAgeMs: null, heldForMs: null };
    throw error;
  }
}

/** The stream's LIVE run manifest (null when there is none or it is damaged). */
function liveManifestOf(layout: DataLayout, s: LiveStream): LiveManifest | null {
  try {
    return readManifest(layout.liveManifest(s.tag, s.symbol, s.timeframe));
  } catch (error) {
    if (hasErrorCode(error, 'state_corrupt')) return null;
    throw error;
  }
}

/** The last start's catch-up, when it resumed a journal (null on a first start or without a manifest). */
function lastRestart(manifest: LiveManifest | null): Restart | null {
  const start = manifest?.starts.at(-1);
  if (start?.caught_up_to_ts === undefined || start.caught_up_bars === undefined) return null;
  return { at: start.at, caughtUpToTs: start.caught_up_to_ts, caughtUpBars: start.caught_up_bars };
}

function lastEqflat(layout: DataLayout, s: LiveStream): EqflatVerdict | 'unreadable' | null {
  try {
    return readEqflatVerdict(layout.eqflatVerdict(s.tag, s.symbol, s.timeframe));
  } catch (error) {
    if (hasErrorCode(error, 'state_corrupt')) return 'unreadable';
    throw error;
  }
}
