/**
 * The work queue against a local sweep: a 256-set sweep over two years of 1m bars, in this thread and
 * on worker threads (1 and 2), then on the queue (BullMQ on a redis-server started here) with 1 and 2
 * `mjolnir worker` processes of one shard at a time each. Reported: each way's median time, the
 * queue's overhead per shard and as a share of the local run at the same parallelism (target <= 10%),
 * and the speedup of 2 workers over 1 (target >= 1.7x). Each queued round starts from an empty Redis
 * (FLUSHDB: no results reused) with warm workers, after one warm-up round.
 *
 *   make bench-queue          (BENCH_SETS=256 BENCH_BARS=1051200 BENCH_TF=1m BENCH_REPEATS=3 SHARD_SIZE=default)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { barsFromSeries, generateSeries, loadConfig, timeframe, tsMs } from '@mjolnir/lib';
import { expandGrid, runSweep } from '@mjolnir/lib/backtest';
import { assembleSweep, exportSnapshot, queueAddress, submitRun, sweepShards } from '@mjolnir/lib/scale';
import { Lake } from '@mjolnir/lib/store';

const SETS = Number(process.env['BENCH_SETS'] ?? 256);
/** Two years of 1m bars: the data researchers outgrow one machine with. */
const BARS = Number(process.env['BENCH_BARS'] ?? 1_051_200);
const TF = (process.env['BENCH_TF'] ?? '1m') as '1m' | '5m';
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const SHARD_SIZE = process.env['SHARD_SIZE'] ? Number(process.env['SHARD_SIZE']) : undefined;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const say = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const work = mkdtempSync(join(tmpdir(), 'mjolnir-bench-queue-'));
const root = join(work, 'data');
const configPath = join(work, 'sweep.yaml');
writeFileSync(
  configPath,
  `exchange: binance
symbols: [BTC/USDT]
timeframe: ${TF}
data_tag: bench
strategy: { id: ema_cross_atr, params: { fast: 5, slow: 13, atr_period: 14, allow_short: true } }
`,
);
const config = loadConfig(configPath);
const tf = timeframe(TF);
const first = Date.UTC(2023, 0, 1) + tf.ms;
/** SETS sets: 16 fast values x SETS/16 slow ones, every one valid (fast < slow). */
const grid = {
  fast: Array.from({ length: 16 }, (_, i) => 3 + i),
  slow: Array.from({ length: Math.ceil(SETS / 16) }, (_, i) => 20 + 2 * i),
};
const jobs = expandGrid(grid).map((params, index) => ({ index, params }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `child` has printed `text`. */
function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before "${text}":\n${output}`)));
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    work,
    '--maxmemory-policy',
    'noeviction',
  ]);
  await printed(redis, 'Ready to accept connections');
  return redis;
}

async function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--concurrency', '1'], {
    cwd: ROOT,
    env: { ...process.env, DATA_ROOT: root },
  });
  await printed(child, 'shard at once');
  return child;
}

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    say('bench-queue needs redis-server (apt-get install redis-server): not run');
    process.exitCode = 2;
    return;
  }
  say(`writing ${BARS.toLocaleString('en-US')} ${TF} bars into ${root} (setup, not measured)...`);
  const lake = await Lake.open(root);
  const key = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: TF };
  await lake.write(
    key,
    barsFromSeries(generateSeries({ seed: 7, timeframe: tf, startTs: tsMs(first) }, BARS)),
  );
  const series = await lake.read(key, first, first + BARS * tf.ms);
  lake.close();
  // The window leaves a month before it for every set's warmup (a refused set would cost nothing).
  const window = { start: series.ts[43_200]!, end: series.ts[series.length - 1]! };

  const inThread = async () => {
    const began = performance.now();
    const rows = await runSweep({ config, grid, series, window, workers: 0 });
    return { ms: performance.now() - began, csv: JSON.stringify(rows) };
  };
  const local = async (workers: number) => {
    const began = performance.now();
    const rows = await runSweep({ config, grid, series, window, workers });
    return { ms: performance.now() - began, csv: JSON.stringify(rows) };
  };
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}/0`;
  const redis = await startRedis(port);
  const address = queueAddress(url);
  const snapshots = join(root, 'snapshots');
  const codeVersion = spawnSync(process.execPath, [CLI, 'code-version'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).stdout.trim();
  const queued = async () => {
    spawnSync('redis-cli', ['-p', String(port), 'FLUSHDB']);
    const began = performance.now();
    const snapshot = exportSnapshot(snapshots, key, series);
    const shards = sweepShards(
      { config, strategySha256: null, window, snapshot: snapshot.snapshot_id, codeVersion },
      jobs,
      SHARD_SIZE,
    );
    const rows = assembleSweep(
      await submitRun(address, { kind: 'sweep', shards }, { pollMs: 1_000 }),
      jobs.length,
    );
    return { ms: performance.now() - began, csv: JSON.stringify(rows), shards: shards.length };
  };
  const rounds = async <T extends { ms: number }>(label: string, run: () => Promise<T>) => {
    await run();
    const results: T[] = [];
    for (let r = 0; r < REPEATS; r++) results.push(await run());
    const ms = median(results.map((x) => x.ms));
    say(
      `  ${label.padEnd(28)} ${ms.toFixed(0).padStart(7)} ms  (${results.map((x) => x.ms.toFixed(0)).join(', ')})`,
    );
    return { ms, last: results.at(-1)! };
  };
  say(
    `${SETS} sets over ${series.length.toLocaleString('en-US')} bars, ${availableParallelism()} cores, node ${process.version}, median of ${REPEATS} after 1 warm-up`,
  );
  const local0 = await rounds('local, in this thread', inThread);
  const local1 = await rounds('local, 1 worker thread', () => local(1));
  const local2 = await rounds('local, 2 threads', () => local(2));
  const workers = [await startWorker(url)];
  try {
    const queue1 = await rounds('queue, 1 worker', queued);
    workers.push(await startWorker(url));
    const queue2 = await rounds('queue, 2 workers', queued);
    const same = [local1, queue1, queue2].every((way) => way.last.csv === local0.last.csv);
    const shards = queue1.last.shards;
    const overhead = (queue1.ms - local0.ms) / local0.ms;
    const speedup = queue1.ms / queue2.ms;
    process.stdout.write(
      `queue benchmark: ${SETS} sets in ${shards} shards over ${series.length.toLocaleString('en-US')} ${TF} bars; results identical to local: ${same}\n` +
        `  local      in this thread ${local0.ms.toFixed(0)} ms, 1 worker thread ${local1.ms.toFixed(0)} ms, 2 threads ${local2.ms.toFixed(0)} ms (${(local1.ms / local2.ms).toFixed(2)}x)\n` +
        `  queue      1 worker ${queue1.ms.toFixed(0)} ms, 2 workers ${queue2.ms.toFixed(0)} ms\n` +
        `  overhead   ${((queue1.ms - local0.ms) / shards).toFixed(1)} ms per shard, ${(overhead * 100).toFixed(1)}% of the sweep in one thread here (1 worker, 1 shard at a time)  target <= 10%: ${overhead <= 0.1 ? 'MET' : 'MISSED'}\n` +
        `  speedup    2 workers ${speedup.toFixed(2)}x of 1  target >= 1.7x: ${speedup >= 1.7 ? 'MET' : 'MISSED'}\n` +
        `  per set    ${(local0.ms / SETS).toFixed(1)} ms on one core (the input of docs/scale.md's projection)\n`,
    );
    if (!same) process.exitCode = 1;
    const refused = (JSON.parse(local0.last.csv) as { outcome: { ok: boolean } }[]).filter(
      (row) => !row.outcome.ok,
    );
    if (refused.length > 0) {
      say(`${refused.length} sets were refused: the benchmark measures nothing`);
      process.exitCode = 1;
    }
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    redis.kill('SIGTERM');
  }
}

await main();
