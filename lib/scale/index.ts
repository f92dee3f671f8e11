export {
  assembleFits,
  assembleSweep,
  foldShards,
  SWEEP_SHARDS,
  type SweepPlanInputs,
  shardSize,
  sweepShards,
} from './plan.js';
export {
  type QueuedRun,
  type RunData,
  runId,
  SHARD_ATTEMPTS,
  type SubmitOptions,
  submitRun,
} from './queue.js';
export {
  checkRedis,
  MIN_REDIS_VERSION,
  olderThan,
  type QueueAddress,
  queueAddress,
  type RedisFacts,
  redactUrl,
  redisProblem,
} from './redis.js';
export {
  decodeResult,
  encodeResult,
  type FoldShard,
  runShard,
  type Shard,
  type ShardContext,
  type ShardResult,
  type SweepShard,
  shardId,
  strategyFileHash,
} from './shard.js';
export {
  exportSnapshot,
  readSnapshot,
  SNAPSHOT_FORMAT,
  type SnapshotManifest,
  type SnapshotStream,
  snapshotDir,
} from './snapshot.js';
export {
  type FailedShard,
  type JobCounts,
  type QueueStatus,
  queueStatus,
  type SeenWorker,
} from './status.js';
export { type QueueWorker, type ShardEvent, startQueueWorker, type WorkerOptions } from './worker.js';
