import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { evaluateSets, type SweepJob, type SweepRow, type SweepWindow } from '../backtest/index.js';
import type { Config } from '../config/index.js';
import { canonicalJson, exactJson, MjolnirError, parseExactJson } from '../core/index.js';
import type { BarSeries } from '../market/index.js';
import { type FoldFit, type FoldSpec, foldJob, runFoldJob, trainingDataset } from '../train/index.js';
import { readSnapshot } from './snapshot.js';

/** A chunk of a sweep's parameter sets over one window of one snapshot. */
export interface SweepShard {
  readonly kind: 'sweep';
  readonly snapshot: string;
  readonly code_version: string;
  readonly config: Config;
  /** The sha256 of the config's strategy file, when it names one: a worker's copy must be the same. */
  readonly strategy_sha256: string | null;
  readonly window: SweepWindow;
  readonly sets: readonly SweepJob[];
}

/** One walk-forward fold (or the final network) of a training run over one snapshot. */
export interface FoldShard {
  readonly kind: 'fold';
  readonly snapshot: string;
  readonly code_version: string;
  readonly fold: FoldSpec;
}

export type Shard = SweepShard | FoldShard;

/** What a shard gives: a sweep chunk's rows in grid order, or one trained network. */
export type ShardResult =
  | { readonly kind: 'sweep'; readonly rows: readonly SweepRow[] }
  | { readonly kind: 'fold'; readonly fit: FoldFit };

/** Where a shard runs: the snapshots directory it reads and the code it runs. */
export interface ShardContext {
  readonly snapshots: string;
  readonly codeVersion: string;
}

const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

/** A shard's id: the hash of its canonical inputs (a resubmitted shard is the same job). */
export function shardId(shard: Shard): string {
  return sha256(canonicalJson(shard));
}

/** The sha256 of a strategy file, or null for a built-in. */
export function strategyFileHash(config: Config): string | null {
  return config.strategy.file === undefined ? null : sha256(readFileSync(config.strategy.file));
}

/** The last snapshot read in this process: the shards of one run read the same bars. */
let cached: { readonly key: string; readonly series: BarSeries } | null = null;

function snapshotSeries(context: ShardContext, id: string): BarSeries {
  const key = `${context.snapshots}\0${id}`;
  if (cached?.key !== key) cached = { key, series: readSnapshot(context.snapshots, id) };
  return cached.series;
}

/** Why this process must not run a shard (other code, another strategy file), or null. */
function refusal(shard: Shard, context: ShardContext): string | null {
  if (shard.code_version !== context.codeVersion)
    return `the shard was made by code ${shard.code_version}, this worker runs ${context.codeVersion}`;
  if (shard.kind === 'sweep' && shard.strategy_sha256 !== strategyFileHash(shard.config))
    return `strategy file ${shard.config.strategy.file} here differs from the submitter's`;
  return null;
}

/**
 * Runs one shard: the same functions a local sweep or training run calls (evaluateSets, runFoldJob),
 * over the snapshot's bars, refused (data_invalid) when this process cannot reproduce its inputs.
 */
export async function runShard(shard: Shard, context: ShardContext): Promise<ShardResult> {
  const why = refusal(shard, context);
  if (why !== null) throw new MjolnirError('data_invalid', why);
  const series = snapshotSeries(context, shard.snapshot);
  if (shard.kind === 'sweep')
    return { kind: 'sweep', rows: evaluateSets(shard.config, shard.sets, series, shard.window) };
  const dataset = trainingDataset(series, shard.fold.horizon, shard.fold.barMs);
  return { kind: 'fold', fit: await runFoldJob(foldJob(dataset, shard.fold)) };
}

/** A shard's result as text that crosses a queue exactly (model files in base64, NaN kept). */
export function encodeResult(result: ShardResult): string {
  if (result.kind === 'sweep') return exactJson(result);
  const { files, ...fit } = result.fit;
  const base64 = (bytes: Uint8Array) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return exactJson({
    kind: 'fold',
    fit: { ...fit, files: { json: base64(files.json), weights: base64(files.weights) } },
  });
}

/** The result `encodeResult` wrote. */
export function decodeResult(text: string): ShardResult {
  const value = parseExactJson(text) as
    | ShardResult
    | { kind: 'fold'; fit: FoldFit & { files: { json: string; weights: string } } };
  if (value.kind === 'sweep') return value;
  const { files } = value.fit as unknown as { files: { json: string; weights: string } };
  const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  return {
    kind: 'fold',
    fit: { ...value.fit, files: { json: bytes(files.json), weights: bytes(files.weights) } },
  };
}
