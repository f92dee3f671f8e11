import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MjolnirError } from '@mjolnir/lib';
import type { QueueStatus, ShardEvent } from '@mjolnir/lib/scale';
import type { Command } from 'commander';
import { columns, num } from '../format.js';
import type { CliIo } from '../io.js';
import { countOption, envOption, intOption, snapshotsOf } from '../options.js';
import { codeVersion } from '../runs.js';

interface WorkerCliOptions {
  queue?: string;
  concurrency: number;
  snapshots?: string;
  dataRoot?: string;
  lockMs: number;
  metricsPort?: number;
  metricsHost: string;
}

/** The queue URL a command needs, or a usage error saying how to give it. */
function queueOf(options: { queue?: string }): string {
  if (options.queue === undefined || options.queue === '')
    throw new MjolnirError('input_invalid', 'no queue: --queue redis://host:port/db (or QUEUE)');
  return options.queue;
}

/** An error line, once per streak: a Redis restart reports the same refusal every reconnect. */
function errorLines(io: CliIo) {
  let last = '';
  return (error: Error) => {
    if (error.message === last) return;
    last = error.message;
    io.stderr.write(`worker: ${error.message} (BullMQ reconnects and retries)\n`);
  };
}

const shardLine = (event: ShardEvent) =>
  `shard ${event.id.slice(0, 12)} ${event.state} in ${num(event.ms)} ms (attempt ${event.attempt})${event.reason === undefined ? '' : `: ${event.reason}`}\n`;

/** `mjolnir worker`: runs the queue's shards until SIGINT/SIGTERM, then finishes the ones it holds. */
async function worker(options: WorkerCliOptions, io: CliIo): Promise<void> {
  const { checkRedis, queueAddress, startQueueWorker } = await import('@mjolnir/lib/scale');
  const address = queueAddress(queueOf(options));
  const facts = await checkRedis(address);
  const snapshots = snapshotsOf(options, io.env);
  const code = codeVersion(io.env);
  const running = await startQueueWorker(address, {
    concurrency: options.concurrency,
    snapshots,
    codeVersion: code,
    lockMs: options.lockMs,
    ...(options.metricsPort === undefined
      ? {}
      : { metrics: { host: options.metricsHost, port: options.metricsPort } }),
    onShard: (event) => io.stdout.write(shardLine(event)),
    onError: errorLines(io),
  });
  io.stdout.write(
    `worker ${running.name}: redis ${facts.version} at ${address.shown}, ${options.concurrency} shard${options.concurrency === 1 ? '' : 's'} at once, snapshots ${snapshots}, code ${code}` +
      `${running.metricsUrl === null ? '' : `, metrics ${running.metricsUrl}`}\n`,
  );
  await new Promise<void>((resolve) => {
    const signal = io.shutdown();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stdout.write(`worker ${running.name}: stopping (finishing the shards it holds)\n`);
  await running.close();
  io.stdout.write(`worker ${running.name}: stopped\n`);
}

function countsLine(counts: QueueStatus['shards']): string {
  return Object.entries(counts)
    .filter(([state, count]) => count > 0 || ['waiting', 'active', 'failed'].includes(state))
    .map(([state, count]) => `${num(count)} ${state}`)
    .join(', ');
}

/** `mjolnir queue status`: jobs by state, failed shards with causes, workers connected. */
async function queueStatusCommand(options: { queue?: string; json?: boolean }, io: CliIo): Promise<void> {
  const { checkRedis, queueAddress, queueStatus } = await import('@mjolnir/lib/scale');
  const address = queueAddress(queueOf(options));
  const facts = await checkRedis(address);
  const status = await queueStatus(address);
  if (options.json === true) {
    io.stdout.write(
      `${JSON.stringify({ redis: { url: address.shown, version: facts.version }, ...status })}\n`,
    );
    return;
  }
  const workers = status.workers.map((w) => ['', w.name, w.address, `idle ${w.idleSeconds} s`]);
  const failed = status.failed.map((f) => ['', f.id.slice(0, 12), `${f.attempts} attempts`, f.reason]);
  io.stdout.write(
    `queue ${address.shown} (redis ${facts.version})\n` +
      `shards: ${countsLine(status.shards)}\n` +
      `runs:   ${countsLine(status.runs)}\n` +
      `workers seen: ${status.workers.length}${workers.length === 0 ? ' (start one: make workers N=2)' : `\n${columns(workers)}`}\n` +
      (failed.length === 0 ? '' : `failed (latest ${failed.length}):\n${columns(failed)}\n`),
  );
}

interface ShardCliOptions {
  plan: string;
  index?: number;
  snapshots?: string;
  results?: string;
}

/**
 * `mjolnir shard`: one index of a Kubernetes plan (JOB_COMPLETION_INDEX), its result written beside
 * the plan; an index already done is not run again (a retried pod).
 */
async function shard(options: ShardCliOptions, io: CliIo): Promise<void> {
  const { encodeResult, runShard, shardId } = await import('@mjolnir/lib/scale');
  const { writeFileAtomic } = await import('@mjolnir/lib/store');
  const { planPaths, resultPath } = await import('./sweep-sources.js');
  const paths = planPaths(options.plan);
  if (options.index === undefined)
    throw new MjolnirError(
      'input_invalid',
      'no index: --index N (or JOB_COMPLETION_INDEX, as Kubernetes sets it)',
    );
  let shards: { shards?: unknown[] };
  try {
    shards = JSON.parse(readFileSync(paths.file, 'utf8')) as { shards?: unknown[] };
  } catch (error) {
    throw new MjolnirError('input_invalid', `cannot read plan ${paths.file}: ${(error as Error).message}`);
  }
  const all = (shards.shards ?? []) as Parameters<typeof runShard>[0][];
  const one = all[options.index];
  if (one === undefined)
    throw new MjolnirError(
      'input_invalid',
      `index ${options.index}: the plan has ${all.length} (0..${all.length - 1})`,
    );
  const results = options.results ?? paths.results;
  const target = resultPath(results, options.index);
  const id = shardId(one);
  if (existsSync(target) && (JSON.parse(readFileSync(target, 'utf8')) as { shard?: string }).shard === id) {
    io.stdout.write(`index ${options.index}: done already (${target})\n`);
    return;
  }
  const began = performance.now();
  const result = await runShard(one, {
    snapshots: options.snapshots ?? paths.snapshots,
    codeVersion: codeVersion(io.env),
  });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(results, { recursive: true });
  writeFileAtomic(target, `${JSON.stringify({ shard: id, result: encodeResult(result) })}\n`);
  io.stdout.write(
    `index ${options.index}: shard ${id.slice(0, 12)} in ${num(performance.now() - began)} ms -> ${target}\n`,
  );
}

export function registerQueue(program: Command, io: CliIo): void {
  program
    .command('code-version')
    .description(
      "the code this checkout runs, as runs and shards record it (a queue's workers must run the same)",
    )
    .action(() => io.stdout.write(`${codeVersion(io.env)}\n`));
  const queueOption = () => envOption('--queue <url>', 'the queue: redis://host:port/db', 'QUEUE');
  program
    .command('worker')
    .description('runs sweep and training shards from a queue (BullMQ on Redis) until stopped')
    .addOption(queueOption())
    .option(
      '--concurrency <n>',
      'shards at once, each in its own process',
      countOption,
      availableParallelism(),
    )
    .addOption(
      envOption(
        '--snapshots <dir>',
        'the shared folder of bar snapshots (default <data root>/snapshots)',
        'SNAPSHOTS_DIR',
      ),
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .option(
      '--lock-ms <ms>',
      'a shard whose worker goes silent this long runs again elsewhere',
      countOption,
      30_000,
    )
    .addOption(
      envOption(
        '--metrics-port <port>',
        '/metrics and /livez on this port (0: any free one)',
        'WORKER_METRICS_PORT',
        intOption,
      ),
    )
    .option('--metrics-host <host>', 'the address /metrics listens on', '127.0.0.1')
    .action((options: WorkerCliOptions) => worker(options, io));
  program
    .command('queue')
    .description('the work queue of sweeps and training runs')
    .command('status')
    .description('jobs by state, failed shards with their causes, the workers connected')
    .addOption(queueOption())
    .option('--json', 'one JSON object')
    .action((options: { queue?: string; json?: boolean }) => queueStatusCommand(options, io));
  program
    .command('shard')
    .description('runs one index of a Kubernetes plan (mjolnir sweep --plan): the Indexed Job entrypoint')
    .requiredOption('--plan <file>', 'the plan (plan.json or its folder)')
    .addOption(envOption('--index <n>', 'the index (0-based)', 'JOB_COMPLETION_INDEX', intOption))
    .option('--snapshots <dir>', 'where its snapshot is (default snapshots/ beside the plan)')
    .option('--results <dir>', 'where results go (default results/ beside the plan)')
    .action((options: ShardCliOptions) => shard(options, io));
}
