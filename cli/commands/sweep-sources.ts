import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MjolnirError, manifestText } from '@mjolnir/lib';
import { expandGrid, type SweepRow } from '@mjolnir/lib/backtest';
import type { SweepShard } from '@mjolnir/lib/scale';
import { num } from '../format.js';
import type { CliIo } from '../io.js';
import { codeVersion } from '../runs.js';
import { streamOf } from './backtest.js';
import type { SweepInputs } from './sweep.js';

/** A Kubernetes plan: the sweep's inputs, its snapshot beside it, one shard per index. */
export interface SweepPlan {
  readonly inputs: SweepInputs;
  readonly shards: readonly SweepShard[];
}

interface PlanFile {
  readonly kind: 'sweep_plan';
  readonly code_version: string;
  readonly config: SweepInputs['config'];
  readonly grid: SweepInputs['grid'];
  readonly window: SweepInputs['window'];
  readonly source: string;
  readonly snapshot: string;
  readonly shards: readonly SweepShard[];
}

/** Where a plan keeps what its indexes share: `snapshots/` and `results/` beside plan.json. */
export const planPaths = (plan: string) => {
  const dir = plan.endsWith('.json') ? dirname(plan) : plan;
  return {
    file: plan.endsWith('.json') ? plan : join(plan, 'plan.json'),
    snapshots: join(dir, 'snapshots'),
    results: join(dir, 'results'),
  };
};

/** A sweep's shards over its snapshot, exported into `snapshots`. */
async function shardsOf(inputs: SweepInputs, snapshots: string, size: number | undefined, code: string) {
  const { exportSnapshot, strategyFileHash, sweepShards } = await import('@mjolnir/lib/scale');
  const snapshot = exportSnapshot(snapshots, streamOf(inputs.config), inputs.series);
  const jobs = expandGrid(inputs.grid).map((params, index) => ({ index, params }));
  const shards = sweepShards(
    {
      config: inputs.config,
      strategySha256: strategyFileHash(inputs.config),
      window: inputs.window,
      snapshot: snapshot.snapshot_id,
      codeVersion: code,
    },
    jobs,
    size,
  );
  return { snapshot, jobs, shards };
}

/** A sweep run by a queue's workers: its shards submitted, its rows in grid order. */
export async function queuedRows(
  inputs: SweepInputs,
  where: { queue: string; snapshots: string; shardSize?: number | undefined },
  io: CliIo,
  onProgress: (done: number, total: number) => void,
): Promise<SweepRow[]> {
  const { assembleSweep, checkRedis, queueAddress, submitRun } = await import('@mjolnir/lib/scale');
  const address = queueAddress(where.queue);
  const facts = await checkRedis(address);
  const { snapshot, jobs, shards } = await shardsOf(
    inputs,
    where.snapshots,
    where.shardSize,
    codeVersion(io.env),
  );
  io.stderr.write(
    `queue: redis ${facts.version} at ${address.shown}; ${num(jobs.length)} sets in ${num(shards.length)} shards over snapshot ${snapshot.snapshot_id.slice(0, 12)} (${snapshot.bars} bars, ${where.snapshots})\n`,
  );
  const results = await submitRun(address, { kind: 'sweep', shards }, { onProgress });
  return assembleSweep(results, jobs.length);
}

/** Writes a Kubernetes plan: plan.json (the ConfigMap) and the snapshot the indexes read. */
export async function writePlan(
  plan: string,
  inputs: SweepInputs,
  shardSize: number | undefined,
  io: CliIo,
): Promise<void> {
  const paths = planPaths(plan);
  mkdirSync(dirname(paths.file), { recursive: true });
  const { snapshot, shards } = await shardsOf(inputs, paths.snapshots, shardSize, codeVersion(io.env));
  const { writeFileAtomic } = await import('@mjolnir/lib/store');
  const file: PlanFile = {
    kind: 'sweep_plan',
    code_version: codeVersion(io.env),
    config: inputs.config,
    grid: inputs.grid,
    window: inputs.window,
    source: inputs.source,
    snapshot: snapshot.snapshot_id,
    shards,
  };
  writeFileAtomic(paths.file, manifestText(file));
  io.stdout.write(
    `plan: ${shards.length} shards in ${paths.file}, snapshot ${snapshot.snapshot_id.slice(0, 12)} in ${paths.snapshots}\n` +
      `run: an Indexed Job with completions: ${shards.length} (ops/k8s/), or each index here: mjolnir shard --plan ${paths.file} --index I\n` +
      `then: mjolnir sweep --collect ${paths.file}\n`,
  );
}

/** A plan as written, its bars read back from its snapshot (proven by their hash). */
export async function readPlan(plan: string): Promise<SweepPlan> {
  const paths = planPaths(plan);
  let file: PlanFile;
  try {
    file = JSON.parse(readFileSync(paths.file, 'utf8')) as PlanFile;
  } catch (error) {
    throw new MjolnirError('input_invalid', `cannot read plan ${paths.file}: ${(error as Error).message}`);
  }
  if (file.kind !== 'sweep_plan' || !Array.isArray(file.shards))
    throw new MjolnirError(
      'input_invalid',
      `${paths.file} is not a sweep plan (mjolnir sweep --plan writes one)`,
    );
  const { readSnapshot } = await import('@mjolnir/lib/scale');
  const series = readSnapshot(paths.snapshots, file.snapshot);
  return {
    inputs: { config: file.config, grid: file.grid, window: file.window, series, source: file.source },
    shards: file.shards,
  };
}

/** The result file of index `i` of a plan. */
export const resultPath = (results: string, index: number) => join(results, `${index}.json`);

/** A plan's rows from its indexes' result files, every index present, each for the shard the plan names. */
export async function collectedRows(plan: SweepPlan, where: string): Promise<SweepRow[]> {
  const { assembleSweep, decodeResult, shardId } = await import('@mjolnir/lib/scale');
  const results = planPaths(where).results;
  const missing = plan.shards.flatMap((_, i) => (existsSync(resultPath(results, i)) ? [] : [i]));
  if (missing.length > 0)
    throw new MjolnirError(
      'input_invalid',
      `${missing.length} of ${plan.shards.length} indexes have no result in ${results} yet (e.g. ${missing.slice(0, 5).join(', ')})`,
    );
  const decoded = plan.shards.map((shard, i) => {
    const saved = JSON.parse(readFileSync(resultPath(results, i), 'utf8')) as {
      shard: string;
      result: string;
    };
    if (saved.shard !== shardId(shard))
      throw new MjolnirError('data_invalid', `${resultPath(results, i)} is the result of another shard`);
    return decodeResult(saved.result);
  });
  return assembleSweep(decoded, expandGrid(plan.inputs.grid).length);
}
