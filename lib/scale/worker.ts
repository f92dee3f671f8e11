import { hostname } from 'node:os';
import { type Job, Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MjolnirError, workerScript } from '../core/index.js';
import { type StatusServer, startStatusServer } from '../live/index.js';
import { systemClock } from '../time/index.js';
import { PROCESSOR_ENV } from './processor.js';
import { QUEUE_PREFIX, RUN_QUEUE, type RunData, SHARD_QUEUE } from './queue.js';
import type { QueueAddress } from './redis.js';

export interface WorkerOptions {
  /** Shards run at once, each in its own process (default: one per core). */
  readonly concurrency: number;
  /** The shared folder the submitters export snapshots to. */
  readonly snapshots: string;
  readonly codeVersion: string;
  /** A shard whose worker stops renewing its lock for this long is run again elsewhere. */
  readonly lockMs?: number;
  /** `/metrics` and `/livez` on this host and port (none when undefined). */
  readonly metrics?: { readonly host: string; readonly port: number };
  /** Each shard as it ends (for the operator's log). */
  readonly onShard?: (event: ShardEvent) => void;
  /** A connection or processing error BullMQ reports (Redis restarting, a processor crashing). */
  readonly onError?: (error: Error) => void;
}

export interface ShardEvent {
  readonly id: string;
  readonly state: 'completed' | 'failed';
  readonly ms: number;
  readonly attempt: number;
  readonly reason?: string;
}

export interface QueueWorker {
  readonly name: string;
  readonly metricsUrl: string | null;
  close(): Promise<void>;
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** The worker's Prometheus metrics: its shards by outcome, their durations, and the queue's depth. */
function workerMetrics(queue: Queue) {
  const registry = new Registry();
  const registers = [registry];
  const jobs = new Counter({
    name: 'mjolnir_worker_shards_total',
    help: 'Shards this worker finished, by outcome (completed, failed)',
    labelNames: ['state'],
    registers,
  });
  const duration = new Histogram({
    name: 'mjolnir_worker_shard_duration_seconds',
    help: 'From a shard starting on this worker to its result stored',
    buckets: DURATION_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'mjolnir_queue_jobs',
    help: 'Jobs on the shard queue by state, as this worker last read them',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  return { registry, jobs, duration };
}

/**
 * The parent of a run: its shards' results in the run's order, every one present (a shard is a
 * child, so the parent runs only once all have finished).
 */
async function aggregate(job: Job<RunData>): Promise<string> {
  const values = (await job.getChildrenValues()) as Record<string, string>;
  const byId = new Map(
    Object.entries(values).map(([key, value]) => [key.slice(key.lastIndexOf(':') + 1), value]),
  );
  const texts = job.data.shards.map((id) => {
    const text = byId.get(id);
    if (text === undefined)
      throw new MjolnirError('invariant_violated', `shard ${id.slice(0, 12)} has no result`);
    return text;
  });
  return JSON.stringify(texts);
}

/**
 * A queue worker: shards in sandboxed processes (`concurrency` at once; CPU-bound work never blocks
 * this process, which renews the locks), the runs' aggregation here, metrics over HTTP.
 */
export async function startQueueWorker(address: QueueAddress, options: WorkerOptions): Promise<QueueWorker> {
  const name = `${hostname()}:${process.pid}`;
  const lockDuration = options.lockMs ?? 30_000;
  const common = { connection: address.options, prefix: QUEUE_PREFIX, name };
  const queue = new Queue(SHARD_QUEUE, { connection: address.options, prefix: QUEUE_PREFIX });
  const metrics = workerMetrics(queue);
  const shards = new Worker(SHARD_QUEUE, workerScript('processor', import.meta.url), {
    ...common,
    concurrency: options.concurrency,
    useWorkerThreads: false,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 2,
    workerForkOptions: {
      env: {
        ...process.env,
        [PROCESSOR_ENV.snapshots]: options.snapshots,
        [PROCESSOR_ENV.codeVersion]: options.codeVersion,
      },
    },
  });
  const runs = new Worker(RUN_QUEUE, aggregate, { ...common, concurrency: 1 });
  const report = (job: Job | undefined, state: ShardEvent['state'], reason?: string) => {
    if (job === undefined) return;
    const now = systemClock.now();
    const ms = (job.finishedOn ?? now) - (job.processedOn ?? now);
    metrics.jobs.inc({ state });
    metrics.duration.observe(ms / 1000);
    options.onShard?.({
      id: job.id ?? '?',
      state,
      ms,
      attempt: job.attemptsMade,
      ...(reason === undefined ? {} : { reason }),
    });
  };
  shards.on('completed', (job) => report(job, 'completed'));
  shards.on('failed', (job, error) => report(job, 'failed', error.message));
  for (const worker of [shards, runs]) worker.on('error', (error) => options.onError?.(error));
  let server: StatusServer | null = null;
  if (options.metrics !== undefined)
    server = await startStatusServer(
      { registry: metrics.registry, wallNow: () => systemClock.now() },
      { ...options.metrics, setting: '--metrics-port' },
    );
  await Promise.all([shards.waitUntilReady(), runs.waitUntilReady()]);
  return {
    name,
    metricsUrl: server === null ? null : `${server.url}/metrics`,
    close: async () => {
      await Promise.allSettled([shards.close(), runs.close()]);
      await queue.close();
      await server?.close();
    },
  };
}
