import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MjolnirError } from '../core/index.js';
import { type MarketKey, symbolFromPath, symbolPath } from '../market/index.js';
import { TIMEFRAMES, type TimeframeLabel } from '../time/index.js';

/** What a RUNID may be made of: it becomes a folder name and part of a tag. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The folders in `dir`, in name order (none when it does not exist). */
const subdirs = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];

/** Every path of the data root (docs/contracts.md "Data layout"), in one place. */
export class DataLayout {
  constructor(readonly root: string) {}

  /** `raw/<exchange>/<SYMBOL>/<tf>/`: the stream's day partitions. */
  rawDir(key: MarketKey): string {
    return join(this.root, 'raw', key.exchange, symbolPath(key.symbol), key.timeframe);
  }

  /** `raw/.../<YYYY-MM-DD>.parquet`. */
  partition(key: MarketKey, day: string): string {
    return join(this.rawDir(key), `${day}.parquet`);
  }

  /**
   * Every stream with a decisions folder: `processed/decisions/<tag>/<SYMBOL>/<tf>/`, the symbol read
   * back exactly (symbolFromPath), in name order; `tag` narrows to one tag.
   */
  journalStreams(tag?: string): { tag: string; symbol: string; timeframe: TimeframeLabel }[] {
    const base = join(this.root, 'processed', 'decisions');
    const tags = tag === undefined ? subdirs(base) : subdirs(base).filter((t) => t === tag);
    return tags.flatMap((t) =>
      subdirs(join(base, t)).flatMap((symbolDir) =>
        subdirs(join(base, t, symbolDir))
          .filter((tf): tf is TimeframeLabel => (TIMEFRAMES as readonly string[]).includes(tf))
          .map((timeframe) => ({ tag: t, symbol: symbolFromPath(symbolDir), timeframe })),
      ),
    );
  }

  /** `processed/decisions/<tag>/<SYMBOL>/<tf>/decisions.csv`. */
  decisions(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return join(this.root, 'processed', 'decisions', tag, symbolPath(symbol), timeframe, 'decisions.csv');
  }

  /** `processed/trades/<tag>/<SYMBOL>/<tf>/trades.csv`. */
  trades(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return join(this.root, 'processed', 'trades', tag, symbolPath(symbol), timeframe, 'trades.csv');
  }

  /** `runs/<RUNID>/manifest.json`. */
  manifest(runId: string): string {
    return this.runFile(runId, 'manifest.json');
  }

  /** A file of a run beside its manifest: `runs/<RUNID>/<name>`. */
  runFile(runId: string, name: string): string {
    if (!RUN_ID.test(runId))
      throw new MjolnirError(
        'input_invalid',
        `RUNID "${runId}" must be letters, digits, ".", "_" or "-" (it names a folder and a tag)`,
      );
    return join(this.root, 'runs', runId, name);
  }

  /** `state/kill_switch.flag`: its presence halts new entries. */
  killSwitch(): string {
    return join(this.root, 'state', 'kill_switch.flag');
  }

  /** `state/`: engine state and other operational state. */
  stateDir(): string {
    return join(this.root, 'state');
  }

  /** The paper loop's engine state for a stream: `state/engine/<tag>/<SYMBOL>/<tf>.json`. */
  engineState(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return join(this.root, 'state', 'engine', tag, symbolPath(symbol), `${timeframe}.json`);
  }

  /** The lock file of a running paper loop for a stream. */
  streamLock(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return join(this.root, 'state', 'locks', `${tag}__${symbolPath(symbol)}__${timeframe}.lock`);
  }

  /** RUNID of a stream's LIVE run: `live_<tag>_<SYMBOL>_<tf>`. */
  liveRunId(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return `live_${tag}_${symbolPath(symbol)}_${timeframe}`;
  }

  /** The LIVE run's manifest: `runs/live_<tag>_<SYMBOL>_<tf>/manifest.json`. */
  liveManifest(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return this.manifest(this.liveRunId(tag, symbol, timeframe));
  }

  /** The last eqflat verdict on a LIVE run: `runs/live_<tag>_<SYMBOL>_<tf>/eqflat.json`. */
  eqflatVerdict(tag: string, symbol: string, timeframe: TimeframeLabel): string {
    return this.runFile(this.liveRunId(tag, symbol, timeframe), 'eqflat.json');
  }

  /** `models/<model_id>/`. */
  model(modelId: string): string {
    return join(this.root, 'models', modelId);
  }
}
