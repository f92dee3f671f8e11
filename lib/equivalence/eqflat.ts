import { type BacktestResult, runBacktest } from '../backtest/index.js';
import type { Stream } from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import type { EngineSpec } from '../engine/index.js';
import { createEngine, describeSpec, specDifferences, specOfDescription } from '../engine/index.js';
import {
  type DataLayout,
  type EqflatVerdict,
  readDecisions,
  readManifest,
  readTrades,
} from '../journal/index.js';
import { type Lake, writeFileAtomic } from '../store/index.js';
import { compareRuns, type EqResult, type EqSide } from './compare.js';

/**
 * The spec LIVE ran under, rebuilt from its run manifest (what eqflat reproduces by default); null
 * without a manifest. A strategy file or a model needs its config: an `input_invalid` error says so.
 */
export function liveRunSpec(layout: DataLayout, stream: Stream): EngineSpec | null {
  const manifest = readManifest(layout.liveManifest(stream.tag, stream.symbol, stream.timeframe));
  return manifest === null ? null : specOfDescription(manifest.config);
}

/** One side of a comparison read from its journals: the decisions and trades of `tag`. */
export function journalSide(
  layout: DataLayout,
  stream: { readonly symbol: string; readonly timeframe: Stream['timeframe'] },
  tag: string,
): EqSide {
  return {
    name: tag,
    // Decisions are compared by ts, action, reason and position: the numbers are read only for a mismatch.
    decisions: readDecisions(layout.decisions(tag, stream.symbol, stream.timeframe), { numbers: false }),
    trades: readTrades(layout.trades(tag, stream.symbol, stream.timeframe)).rows,
  };
}

/** The runbook's eq: LIVE (`liveTag`) vs a backtest (`btTag`) from their journals. */
export function eqTags(layout: DataLayout, stream: Stream, liveTag: string, btTag: string): EqResult {
  return compareRuns(journalSide(layout, stream, liveTag), journalSide(layout, stream, btTag));
}

/** The verdict beside the LIVE run, for health and the dashboard (the last one wins). */
function recordVerdict(
  layout: DataLayout,
  stream: Stream,
  options: { runId: string; now: number },
  throughTs: number,
  result: EqResult,
): void {
  const mismatch = result.decisions.mismatch ?? result.trades.mismatch;
  const verdict: EqflatVerdict = {
    at: new Date(options.now).toISOString(),
    run_id: options.runId,
    decisions: result.decisions.pass,
    trades: result.trades.pass,
    overall: result.overall,
    through_ts: throughTs,
    first_mismatch: result.overall || mismatch === null ? null : `${mismatch.at}: ${mismatch.verdict}`,
  };
  writeFileAtomic(
    layout.eqflatVerdict(stream.tag, stream.symbol, stream.timeframe),
    `${JSON.stringify(verdict, null, 2)}\n`,
  );
}

/** What eqflat did. */
export interface EqflatOutcome {
  readonly runId: string;
  readonly backtest: BacktestResult;
  readonly result: EqResult;
  readonly livePath: string;
}

/**
 * The runbook's eqflat: a backtest from the first LIVE decision (data row 1) to the last, warmed up
 * from where LIVE's warmup began and fed what LIVE saw (its host skips and kill-switch refusals), then
 * LIVE vs that backtest.
 */
export async function eqflat(
  lake: Lake,
  options: {
    spec: EngineSpec;
    stream: Stream;
    runId: string;
    codeVersion: string;
    now: number;
    strategyFile?: string | undefined;
  },
): Promise<EqflatOutcome> {
  const { stream, spec } = options;
  const layout = lake.layout;
  const livePath = layout.decisions(stream.tag, stream.symbol, stream.timeframe);
  const live = readDecisions(livePath, { numbers: false });
  if (live.length === 0) throw new MjolnirError('input_invalid', `${livePath} has no decisions yet`);
  const manifest = readManifest(layout.liveManifest(stream.tag, stream.symbol, stream.timeframe));
  // A backtest under another spec cannot reproduce LIVE: a usage mistake, refused before anything runs
  // or is recorded (a FAIL recorded here would stay in health for good). Stop-through fills are the
  // one difference asked for on purpose (backtest only: decisions and lifecycle must still match).
  const differences =
    manifest === null
      ? []
      : specDifferences(manifest.config, describeSpec(spec)).filter(
          (d) => !d.startsWith('fill.stopThrough:'),
        );
  if (manifest !== null && differences.length > 0)
    throw new MjolnirError(
      'input_invalid',
      `LIVE ran under spec ${manifest.spec}, this config gives ${createEngine(spec).fingerprint} (${differences.join('; ')}): run eqflat without CONFIG to reproduce LIVE from its manifest, or with the config LIVE ran`,
    );
  const backtest = await runBacktest(lake, {
    spec,
    stream,
    runId: options.runId,
    start: live.ts.get(0),
    end: live.lastTs,
    ...(manifest === null ? {} : { warmupFrom: manifest.warmup_from }),
    live: { tag: stream.tag, decisions: live },
    codeVersion: options.codeVersion,
    now: options.now,
    strategyFile: options.strategyFile,
  });
  const result = compareRuns(
    {
      name: stream.tag,
      decisions: live,
      trades: readTrades(layout.trades(stream.tag, stream.symbol, stream.timeframe)).rows,
    },
    journalSide(layout, stream, backtest.tag),
  );
  recordVerdict(layout, stream, options, live.lastTs, result);
  return { runId: options.runId, backtest, result, livePath };
}
