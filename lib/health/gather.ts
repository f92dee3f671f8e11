import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataLayout,
  type EqflatVerdict,
  readEqflatVerdict,
  readManifest,
  trailingDecisions,
} from '../journal/index.js';
import type { MarketKey } from '../market/index.js';
import { readKillSwitch } from '../risk/index.js';
import { TIMEFRAMES, type TimeframeLabel } from '../time/index.js';
import type { HealthFacts, Restart, StreamFacts } from './evaluate.js';

/** A LIVE stream under a data root. */
export interface LiveStream {
  readonly tag: string;
  readonly symbol: string;
  readonly timeframe: TimeframeLabel;
}

/** A stream as health, the metrics and the dashboard name it: `<tag> <symbol> <timeframe>`. */
export const streamName = (s: LiveStream): string => `${s.tag} ${s.symbol} ${s.timeframe}`;

const subdirs = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];

/** Every LIVE stream with a decisions journal under `root` (backtest tags, `<tag>_bt_<RUNID>`, left out). */
export function liveStreams(root: string): LiveStream[] {
  const base = join(root, 'processed', 'decisions');
  return subdirs(base)
    .filter((tag) => !tag.includes('_bt_'))
    .flatMap((tag) =>
      subdirs(join(base, tag)).flatMap((symbolDir) =>
        subdirs(join(base, tag, symbolDir))
          .filter((tf): tf is TimeframeLabel => (TIMEFRAMES as readonly string[]).includes(tf))
          .map((tf) => ({ tag, symbol: symbolDir.replace('_', '/'), timeframe: tf })),
      ),
    );
}

/** The end of a stream's raw bars, as the lake (DuckDB, a host's) tells it. */
export interface RawTail {
  readonly last: number;
  readonly volumes: readonly number[];
}

/** What the host knows besides the files: the time, and the newest raw bar (the lake, which needs DuckDB). */
export interface GatherOptions {
  /** The exchange's time when reachable (a simulator's runs fast), else the clock's: what slots are judged by. */
  readonly now: number;
  /** The machine's time, for file ages (the lock's heartbeat). */
  readonly wallNow: number;
  /** The newest raw bar's close time and the volumes of the last few bars (a quiet market), or null when none. */
  readonly rawTail: (key: MarketKey) => Promise<RawTail | null>;
  /** Whether the exchange answered; null when it was not asked. */
  readonly exchangeReachable?: boolean | null;
  /** Trailing rows read (cost follows this, not the journal's length). */
  readonly rows?: number;
}

/** The facts health judges, read from the tails of the files (never whole journals). */
export async function gatherHealth(
  root: string,
  streams: readonly LiveStream[],
  options: GatherOptions,
): Promise<HealthFacts> {
  const layout = new DataLayout(root);
  const facts: StreamFacts[] = [];
  for (const s of streams) {
    const decisions = trailingDecisions(layout.decisions(s.tag, s.symbol, s.timeframe), options.rows ?? 288);
    // The venue is in every row (the simulator's bars are `sim`, whatever the config's exchange).
    const exchange = decisions.at(-1)?.exchange;
    const key = exchange === undefined ? null : { exchange, symbol: s.symbol, timeframe: s.timeframe };
    const raw = key === null ? null : await options.rawTail(key);
    const lockAgeMs = ageOf(layout.streamLock(s.tag, s.symbol, s.timeframe), options.wallNow);
    facts.push({
      ...s,
      decisions,
      newestRawTs: raw?.last ?? null,
      lockAgeMs,
      recentVolumes: raw?.volumes ?? [],
      restart: lastRestart(layout, s),
      eqflat: lastEqflat(layout, s),
    });
  }
  return {
    now: options.now,
    killSwitch: readKillSwitch(layout.killSwitch()),
    exchangeReachable: options.exchangeReachable ?? null,
    streams: facts,
  };
}

function ageOf(path: string, now: number): number | null {
  try {
    return Math.max(0, now - statSync(path).mtimeMs);
  } catch {
    return null;
  }
}

/** The last start's catch-up, when it resumed a journal (null on a first start or a damaged manifest). */
function lastRestart(layout: DataLayout, s: LiveStream): Restart | null {
  try {
    const start = readManifest(layout.liveManifest(s.tag, s.symbol, s.timeframe))?.starts.at(-1);
    if (start?.caught_up_to_ts === undefined || start.caught_up_bars === undefined) return null;
    return { at: start.at, caughtUpToTs: start.caught_up_to_ts, caughtUpBars: start.caught_up_bars };
  } catch {
    return null;
  }
}

function lastEqflat(layout: DataLayout, s: LiveStream): EqflatVerdict | 'unreadable' | null {
  try {
    return readEqflatVerdict(layout.eqflatVerdict(s.tag, s.symbol, s.timeframe));
  } catch {
    return 'unreadable';
  }
}
