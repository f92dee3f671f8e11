import type { SweepJob, SweepRow, SweepWindow } from '../backtest/index.js';
import type { Config } from '../config/index.js';
import { invariant } from '../core/index.js';
import type { FoldFit, FoldSpec } from '../train/index.js';
import type { FoldShard, ShardResult, SweepShard } from './shard.js';

/** A sweep is cut into about this many shards, each of at least one set (the queue's grain). */
export const SWEEP_SHARDS = 64;

/** The sets per shard of a sweep of `sets` sets: about SWEEP_SHARDS shards. */
export function shardSize(sets: number): number {
  return Math.max(1, Math.ceil(sets / SWEEP_SHARDS));
}

/** What a sweep's shards share. */
export interface SweepPlanInputs {
  readonly config: Config;
  readonly strategySha256: string | null;
  readonly window: SweepWindow;
  readonly snapshot: string;
  readonly codeVersion: string;
}

/** A sweep's sets cut into shards of `size` sets, in grid order. */
export function sweepShards(
  inputs: SweepPlanInputs,
  jobs: readonly SweepJob[],
  size: number = shardSize(jobs.length),
): SweepShard[] {
  const shards: SweepShard[] = [];
  for (let at = 0; at < jobs.length; at += size)
    shards.push({
      kind: 'sweep',
      snapshot: inputs.snapshot,
      code_version: inputs.codeVersion,
      config: inputs.config,
      strategy_sha256: inputs.strategySha256,
      window: inputs.window,
      sets: jobs.slice(at, at + size),
    });
  return shards;
}

/** A training run's networks as shards, one each, in the order training reads their fits. */
export function foldShards(specs: readonly FoldSpec[], snapshot: string, codeVersion: string): FoldShard[] {
  return specs.map((fold) => ({ kind: 'fold', snapshot, code_version: codeVersion, fold }));
}

/**
 * A sweep's rows from its shards' results, in grid order, proven whole: every one of the `sets`
 * sets exactly once (a shard run twice, or lost, is a bug, never a quiet gap or double).
 */
export function assembleSweep(results: readonly ShardResult[], sets: number): SweepRow[] {
  const rows = new Array<SweepRow | undefined>(sets).fill(undefined);
  for (const result of results) {
    invariant(result.kind === 'sweep', 'a sweep was given a training result');
    for (const row of result.rows) {
      invariant(
        row.index >= 0 && row.index < sets && rows[row.index] === undefined,
        `set ${row.index} came back twice or out of range`,
      );
      rows[row.index] = row;
    }
  }
  const missing = rows.indexOf(undefined);
  invariant(missing === -1, `set ${missing} of ${sets} has no result`);
  return rows as SweepRow[];
}

/** A training run's fits from its shards' results, in the order of its specs. */
export function assembleFits(results: readonly ShardResult[], specs: readonly FoldSpec[]): FoldFit[] {
  invariant(results.length === specs.length, `${specs.length} networks, ${results.length} results`);
  return results.map((result, i) => {
    invariant(
      result.kind === 'fold' && result.fit.label === specs[i]!.label,
      `result ${i} is not ${specs[i]!.label}`,
    );
    return result.fit;
  });
}
