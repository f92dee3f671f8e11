import { MjolnirError } from '../core/index.js';
import { type DataLayout, readBacktestManifest, readManifest } from '../journal/index.js';
import type { TimeframeLabel } from '../time/index.js';

/** What explain needs of a run's manifest: where the engine was first fed, where decisions start, the spec. */
export interface RunFacts {
  readonly from: number;
  readonly start: number;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The run's manifest: a LIVE run's, or a backtest's (`<tag>_bt_<RUNID>` -> runs/<RUNID>/). */
export function runFacts(layout: DataLayout, symbol: string, tf: TimeframeLabel, tag: string): RunFacts {
  const bt = /_bt_(.+)$/.exec(tag);
  if (bt === null) {
    const manifest = readManifest(layout.liveManifest(tag, symbol, tf));
    if (manifest === null)
      throw new MjolnirError('input_invalid', `no LIVE run manifest for ${tag} ${symbol} ${tf}`);
    return { from: manifest.warmup_from, start: manifest.first_decision_ts, config: manifest.config };
  }
  const manifest = readBacktestManifest(layout.manifest(bt[1]!));
  return { from: manifest.warmup.from_ts_ms, start: manifest.window.start_ts_ms, config: manifest.config };
}

/** The one symbol and timeframe a tag has journals for (or those asked for). */
export function streamOfTag(layout: DataLayout, tag: string, symbol?: string, tf?: TimeframeLabel) {
  if (symbol !== undefined && tf !== undefined) return { symbol, timeframe: tf };
  const all = layout.journalStreams(tag);
  const matching = all.filter(
    (s) => (symbol === undefined || s.symbol === symbol) && (tf === undefined || s.timeframe === tf),
  );
  if (matching.length !== 1)
    throw new MjolnirError(
      'input_invalid',
      `${matching.length === 0 ? 'no' : 'several'} journals for tag ${tag} under ${layout.root}: name --symbol and --timeframe`,
    );
  return matching[0]!;
}
