/**
 * The sandboxed processor a queue worker forks (BullMQ runs it in a child process, so CPU-bound
 * shards never stall the worker's lock renewals): one shard, through the same function a local run
 * calls. A shard this process must refuse fails at once, without retries.
 */
import { type SandboxedJob, UnrecoverableError } from 'bullmq';
import { MjolnirError } from '../core/index.js';
import { encodeResult, runShard, type Shard } from './shard.js';

/** The environment the worker gives its processors (the snapshots folder, its code version). */
export const PROCESSOR_ENV = { snapshots: 'MJOLNIR_SNAPSHOTS', codeVersion: 'MJOLNIR_CODE_VERSION' } as const;

export default async function processShard(job: SandboxedJob<Shard>): Promise<string> {
  try {
    const result = await runShard(job.data, {
      snapshots: process.env[PROCESSOR_ENV.snapshots] ?? '',
      codeVersion: process.env[PROCESSOR_ENV.codeVersion] ?? '',
    });
    return encodeResult(result);
  } catch (error) {
    if (error instanceof MjolnirError && error.category === 'operator')
      throw new UnrecoverableError(`[${error.code}] ${error.message}`);
    throw error;
  }
}
