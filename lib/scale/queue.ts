import { createHash } from 'node:crypto';
import { FlowProducer, type Job, Queue, QueueEvents } from 'bullmq';
import { MjolnirError, parseExactJson } from '../core/index.js';
import type { QueueAddress } from './redis.js';
import { decodeResult, type Shard, type ShardResult, shardId } from './shard.js';

/** BullMQ's key prefix and the two queues: shards to run, and the runs (flow parents) aggregating them. */
export const QUEUE_PREFIX = 'mjolnir';
export const SHARD_QUEUE = 'shards';
export const RUN_QUEUE = 'runs';

/** A shard is tried this often (a crash, a lost worker) before its run fails. */
export const SHARD_ATTEMPTS = 3;

/**
 * Finished jobs are kept this long (seconds): a resubmission within it reuses their results; later
 * ones run again. Failed ones as long, for `mjolnir queue status` to show their causes.
 */
export const KEEP_S = 7 * 86_400;

/** A run on the queue: a sweep or a training run, as shards in their canonical order. */
export interface QueuedRun {
  readonly kind: 'sweep' | 'train';
  readonly shards: readonly Shard[];
}

/** What the parent job holds: its shards' job ids in order. */
export interface RunData {
  readonly kind: QueuedRun['kind'];
  readonly shards: readonly string[];
}

/** A run's id: the hash of its shards' ids in order (the same run resubmitted is the same job). */
export function runId(kind: string, ids: readonly string[]): string {
  return createHash('sha256')
    .update(`${kind}\n${ids.join('\n')}`)
    .digest('hex');
}

export interface SubmitOptions {
  /** Shards finished so far of the whole run (including those done before a resubmission). */
  readonly onProgress?: (done: number, total: number) => void;
  /** How often the run's state is read besides the queue's events (they can be missed across a Redis restart). */
  readonly pollMs?: number;
}

const connectionOf = (address: QueueAddress) => ({ connection: address.options, prefix: QUEUE_PREFIX });

/** Removes what a resubmission must run again: a failed run and its failed shards (finished ones are kept). */
async function clearFailures(shards: Queue, runs: Queue, id: string, ids: readonly string[]): Promise<void> {
  const parent = await runs.getJob(id);
  if (parent !== undefined && (await parent.getState()) === 'failed')
    await parent.remove({ removeChildren: false });
  for (const shard of ids) {
    const job = await shards.getJob(shard);
    if (job !== undefined && (await job.getState()) === 'failed') await job.remove();
  }
}

/** Why a run failed: its failed shard's own cause (the parent says only which child failed). */
async function failureOf(shards: Queue, parent: Job): Promise<MjolnirError> {
  const child = /([0-9a-f]{64}) failed/.exec(parent.failedReason ?? '')?.[1];
  const job = child === undefined ? undefined : await shards.getJob(child);
  const cause =
    job === undefined
      ? parent.failedReason
      : `shard ${child!.slice(0, 12)} failed after ${job.attemptsMade} attempt(s): ${job.failedReason}`;
  return new MjolnirError('data_invalid', `the run failed on the queue: ${cause}`);
}

/** The run's results, once its parent has aggregated them; null while it is still running. */
async function finished(
  shards: Queue,
  parent: Job | undefined,
  ids: readonly string[],
): Promise<ShardResult[] | null> {
  if (parent === undefined) throw new MjolnirError('invariant_violated', 'the run vanished from the queue');
  const state = await parent.getState();
  if (state === 'failed') throw await failureOf(shards, parent);
  if (state !== 'completed') return null;
  const texts = parseExactJson(parent.returnvalue as string) as string[];
  if (texts.length !== ids.length)
    throw new MjolnirError('invariant_violated', 'the run returned a result per shard');
  return texts.map(decodeResult);
}

/**
 * Submits a run as a flow (the parent aggregates, the shards are its children, each job id the hash
 * of its inputs: a resubmission reuses every shard already finished) and waits for its results in
 * shard order. Progress comes from the queue's events, with a poll as the fallback.
 */
export async function submitRun(
  address: QueueAddress,
  run: QueuedRun,
  options: SubmitOptions = {},
): Promise<ShardResult[]> {
  const ids = run.shards.map(shardId);
  const id = runId(run.kind, ids);
  const shards = new Queue(SHARD_QUEUE, connectionOf(address));
  const runs = new Queue(RUN_QUEUE, connectionOf(address));
  const events = new QueueEvents(SHARD_QUEUE, connectionOf(address));
  const flow = new FlowProducer(connectionOf(address));
  try {
    await clearFailures(shards, runs, id, ids);
    const data: RunData = { kind: run.kind, shards: ids };
    await flow.add({
      name: run.kind,
      queueName: RUN_QUEUE,
      data,
      opts: { jobId: id, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } },
      children: run.shards.map((shard, i) => ({
        name: shard.kind,
        queueName: SHARD_QUEUE,
        data: shard,
        opts: {
          jobId: ids[i]!,
          attempts: SHARD_ATTEMPTS,
          backoff: { type: 'exponential', delay: 1_000 },
          failParentOnFailure: true,
          removeOnComplete: { age: KEEP_S },
          removeOnFail: { age: KEEP_S },
        },
      })),
    });
    return await waitForRun(shards, runs, events, id, ids, options);
  } finally {
    await Promise.allSettled([flow.close(), events.close(), shards.close(), runs.close()]);
  }
}

async function waitForRun(
  shards: Queue,
  runs: Queue,
  events: QueueEvents,
  id: string,
  ids: readonly string[],
  options: SubmitOptions,
): Promise<ShardResult[]> {
  const total = ids.length;
  let wake: () => void = () => {};
  const onEvent = () => wake();
  events.on('completed', onEvent);
  events.on('failed', onEvent);
  let shown = -1;
  try {
    for (;;) {
      const parent = await runs.getJob(id);
      const results = await finished(shards, parent, ids);
      const counts = await parent!.getDependenciesCount({ processed: true });
      const done = results === null ? (counts.processed ?? 0) : total;
      if (done !== shown) {
        shown = done;
        options.onProgress?.(done, total);
      }
      if (results !== null) return results;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs ?? 1_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    events.off('completed', onEvent);
    events.off('failed', onEvent);
  }
}
