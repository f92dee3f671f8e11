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
  if ((await runs.getJobState(id)) === 'failed')
    await (await runs.getJob(id))?.remove({ removeChildren: false });
  // One round trip for every shard's state, not two per shard: a sweep can have thousands.
  const client = await shards.client;
  const pipeline = client.pipeline();
  for (const shard of ids) pipeline.zscore(shards.toKey('failed'), shard);
  const scores = (await pipeline.exec()) ?? [];
  for (const [i, [, score]] of scores.entries())
    if (score !== null) await (await shards.getJob(ids[i]!))?.remove();
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

/**
 * The run's results, once its parent has aggregated them; null while it is still running. The state
 * is read first and the job after it: a job read before it completed has no return value yet.
 */
async function finished(
  shards: Queue,
  runs: Queue,
  id: string,
  ids: readonly string[],
): Promise<ShardResult[] | null> {
  const state = await runs.getJobState(id);
  if (state !== 'completed' && state !== 'failed') return null;
  const parent = await runs.getJob(id);
  if (parent === undefined) throw new MjolnirError('invariant_violated', 'the run vanished from the queue');
  if (state === 'failed') throw await failureOf(shards, parent);
  const texts = parseExactJson(parent.returnvalue as string) as string[] | null;
  if (texts?.length !== ids.length)
    throw new MjolnirError('invariant_violated', 'the run did not return one result per shard');
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
  // Shards finishing move the progress; the run finishing (its parent aggregated) ends the wait. Each
  // listener reads its queue's events from the latest one now, not from when it happens to connect:
  // a run finishing in between would otherwise wake nobody.
  const events = await Promise.all(
    [shards, runs].map(async (queue) => {
      const client = await queue.client;
      const [latest] = await client.xrevrange(queue.keys['events']!, '+', '-', 'COUNT', 1);
      return new QueueEvents(queue.name, { ...connectionOf(address), lastEventId: latest?.[0] ?? '0-0' });
    }),
  );
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
    await Promise.allSettled([flow.close(), ...events.map((e) => e.close()), shards.close(), runs.close()]);
  }
}

/** Shards of a run finished so far (its parent's processed dependencies). */
async function processedShards(runs: Queue, id: string): Promise<number> {
  const parent = await runs.getJob(id);
  if (parent === undefined) return 0;
  return (await parent.getDependenciesCount({ processed: true })).processed ?? 0;
}

async function waitForRun(
  shards: Queue,
  runs: Queue,
  events: readonly QueueEvents[],
  id: string,
  ids: readonly string[],
  options: SubmitOptions,
): Promise<ShardResult[]> {
  const total = ids.length;
  // An event while the state is being read is kept, not lost: the next wait returns at once.
  let pending = false;
  let wake: (() => void) | null = null;
  const onEvent = () => {
    pending = true;
    wake?.();
  };
  for (const queue of events) for (const event of ['completed', 'failed'] as const) queue.on(event, onEvent);
  let shown = -1;
  try {
    for (;;) {
      pending = false;
      const results = await finished(shards, runs, id, ids);
      const done = results === null ? await processedShards(runs, id) : total;
      if (done !== shown) {
        shown = done;
        options.onProgress?.(done, total);
      }
      if (results !== null) return results;
      if (!pending)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs ?? 1_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = null;
    }
  } finally {
    for (const queue of events)
      for (const event of ['completed', 'failed'] as const) queue.off(event, onEvent);
  }
}
