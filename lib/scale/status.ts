import { Queue } from 'bullmq';
import { QUEUE_PREFIX, RUN_QUEUE, SHARD_QUEUE } from './queue.js';
import type { QueueAddress } from './redis.js';

const STATES = ['waiting', 'active', 'delayed', 'waiting-children', 'completed', 'failed'] as const;

export type JobCounts = Readonly<Record<(typeof STATES)[number], number>>;

/** A shard that failed for good, with its cause. */
export interface FailedShard {
  readonly id: string;
  readonly reason: string;
  readonly attempts: number;
  readonly failedAt: number | null;
}

/** A worker connected to the queue now. */
export interface SeenWorker {
  readonly name: string;
  readonly address: string;
  readonly idleSeconds: number;
}

export interface QueueStatus {
  readonly shards: JobCounts;
  readonly runs: JobCounts;
  /** The most recent failures first, at most `failedShown`. */
  readonly failed: readonly FailedShard[];
  readonly workers: readonly SeenWorker[];
}

async function countsOf(queue: Queue): Promise<JobCounts> {
  const counts = await queue.getJobCounts(...STATES);
  return Object.fromEntries(STATES.map((state) => [state, counts[state] ?? 0])) as JobCounts;
}

/** The queue's view for an operator: jobs by state, failed shards with causes, workers connected. */
export async function queueStatus(address: QueueAddress, failedShown = 10): Promise<QueueStatus> {
  const shards = new Queue(SHARD_QUEUE, { connection: address.options, prefix: QUEUE_PREFIX });
  const runs = new Queue(RUN_QUEUE, { connection: address.options, prefix: QUEUE_PREFIX });
  try {
    const failed = await shards.getFailed(0, failedShown - 1);
    const workers = await shards.getWorkers();
    return {
      shards: await countsOf(shards),
      runs: await countsOf(runs),
      failed: failed.map((job) => ({
        id: job.id ?? '?',
        reason: job.failedReason,
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ?? null,
      })),
      workers: workers.map((worker) => ({
        name: String(worker['rawname'] ?? worker['name'] ?? '?').replace(/^.*?:w:/, ''),
        address: String(worker['addr'] ?? '?'),
        idleSeconds: Number(worker['idle'] ?? 0),
      })),
    };
  } finally {
    await Promise.allSettled([shards.close(), runs.close()]);
  }
}
