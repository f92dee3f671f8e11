/**
 * Sweeps and training on the work queue (BullMQ on a real Redis, started here on a free port), as
 * operators run them: `mjolnir worker` processes, `mjolnir sweep|train --queue`, `mjolnir queue
 * status`. The queued results are byte for byte the local ones, through a worker SIGKILLed mid-shard,
 * a Redis restart and a resubmission; a shard whose bars differ is refused. The Kubernetes plan's
 * indexes, run here one by one and collected, give the same sweep.csv too.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsFromSeries, DataLayout, generateSeries, type TsMs, timeframe } from '@mjolnir/lib';
import { Lake } from '@mjolnir/lib/store';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliRun, exited, printed, type Spawned, start, waitFor } from './support/processes.js';
import { parsePrometheus, samplesOf } from './support/prometheus.js';
import { startRedis, type TestRedis } from './support/redis.js';

const TF = timeframe('5m');
const FIRST = Date.UTC(2024, 0, 1) + TF.ms;
const work = mkdtempSync(join(tmpdir(), 'mjolnir-queue-'));
const root = join(work, 'data');
const config = join(work, 'sweep.yaml');
const trainConfig = join(work, 'train.yaml');
const layout = new DataLayout(root);
/** 1,024 sets: 16 fast x 64 slow. */
const GRID = ['-g', 'fast=3:18', '-g', 'slow=20:83'];
const WINDOW = ['--start', '2024-01-10', '--end', '2024-02-15'];
let redis: TestRedis;
let local: string;

const cli = (args: string[], env: Record<string, string> = {}) =>
  cliRun(args, { DATA_ROOT: root, CONFIG: config, ...env });

/** A sweep submitted to the queue as its own process (it can be killed, or outlive a Redis restart). */
const submit = (runid: string, extra: string[] = []) =>
  start(
    process.execPath,
    [CLI, 'sweep', ...WINDOW, ...GRID, '--runid', runid, '--queue', redis.url, ...extra],
    {
      DATA_ROOT: root,
      CONFIG: config,
    },
  );

/** A `mjolnir worker` process, ready once it has said where it serves its metrics. */
async function worker(env: Record<string, string> = {}): Promise<Spawned> {
  const child = start(
    process.execPath,
    [CLI, 'worker', '--queue', redis.url, '--concurrency', '1', '--lock-ms', '1500', '--metrics-port', '0'],
    { DATA_ROOT: root, ...env },
  );
  await printed(child, '/metrics\n');
  return child;
}

const sweepCsv = (runid: string) => readFileSync(layout.runFile(runid, 'sweep.csv'), 'utf8');
const completedLines = (child: Spawned) => child.output().match(/^shard [0-9a-f]{12} completed/gm) ?? [];

async function finished(child: Spawned): Promise<string> {
  const code = await exited(child);
  expect(code, child.output()).toBe(0);
  return child.output();
}

beforeAll(async () => {
  redis = await startRedis();
  writeFileSync(
    config,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: queue
strategy: { id: ema_cross_atr, params: { fast: 5, slow: 13, atr_period: 10, allow_short: true } }
`,
  );
  writeFileSync(
    trainConfig,
    `exchange: binance
symbols: [ETH/USDT]
timeframe: 5m
data_tag: model
strategy: { id: model_classifier, params: { enter: 0.51, exit: 0.5, atr_mult: 2 } }
train: { horizon: 6, train_rows: 1500, test_rows: 500, hidden: [8], epochs: 3, patience: 2, seed: 5 }
`,
  );
  const lake = await Lake.open(root);
  try {
    const series = generateSeries({ seed: 3, timeframe: TF, startTs: FIRST as TsMs }, 12_000);
    await lake.write({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' }, barsFromSeries(series));
    const eth = generateSeries({ seed: 8, timeframe: TF, startTs: FIRST as TsMs, startPrice: 2_000 }, 3_200);
    await lake.write({ exchange: 'binance', symbol: 'ETH/USDT', timeframe: '5m' }, barsFromSeries(eth));
  } finally {
    lake.close();
  }
  const run = cli(['sweep', ...WINDOW, ...GRID, '--runid', 'local', '--workers', '2']);
  expect(run.code, run.stderr).toBe(0);
  local = sweepCsv('local');
  expect(local.split('\n')).toHaveLength(1_024 + 2);
});
afterAll(async () => {
  await redis?.stop();
});

describe('the work queue', () => {
  it('two workers give the local sweep.csv byte for byte; a resubmission completes from stored results with no worker', async () => {
    const [one, two] = [await worker(), await worker()];
    const run = submit('queued', ['--shard-size', '64']);
    const output = await finished(run);
    expect(output).toContain('1,024 sets in 16 shards over snapshot');
    expect(output).toContain('sweep ema_cross_atr 100.0%  16/16 shards');
    expect(sweepCsv('queued')).toBe(local);
    // Every shard ran once, on one worker or the other.
    const counts = [completedLines(one).length, completedLines(two).length];
    expect(counts[0]! + counts[1]!).toBe(16);
    const url = /metrics (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(one.output())![1]!;
    const metrics = parsePrometheus(await (await fetch(url)).text());
    expect(samplesOf(metrics, 'mjolnir_worker_shards_total', { state: 'completed' })[0]?.value).toBe(
      counts[0],
    );
    expect(samplesOf(metrics, 'mjolnir_worker_shard_duration_seconds_count')[0]?.value).toBe(counts[0]);
    const status = cli(['queue', 'status', '--queue', redis.url, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout);
    expect(view.workers).toHaveLength(2);
    expect(view.shards).toMatchObject({ completed: 16, failed: 0, waiting: 0, active: 0 });
    const text = cli(['queue', 'status', '--queue', redis.url]);
    expect(text.stdout).toContain('shards: 0 waiting, 0 active, 16 completed, 0 failed');
    expect(text.stdout).toContain('workers seen: 2');
    for (const child of [one, two]) {
      child.kill('SIGTERM');
      expect(await finished(child)).toMatch(/stopped\n$/);
    }
    const again = await finished(submit('resubmitted', ['--shard-size', '64']));
    expect(again).toContain('16/16 shards');
    expect(sweepCsv('resubmitted')).toBe(local);
  });

  it('a worker SIGKILLed mid-shard: the shard runs again on another, nothing lost or doubled', async () => {
    const doomed = await worker();
    const run = submit('killed', ['--shard-size', '256']);
    const shards = new Queue('shards', {
      connection: { port: redis.port, host: '127.0.0.1' },
      prefix: 'mjolnir',
    });
    let held = '';
    try {
      await waitFor(async () => {
        held = (await shards.getActive())[0]?.id ?? '';
        return held !== '';
      }, 'a shard active on the doomed worker');
    } finally {
      await shards.close();
    }
    process.kill(-doomed.pid!, 'SIGKILL');
    await exited(doomed);
    const rescuer = await worker();
    await finished(run);
    expect(sweepCsv('killed')).toBe(local);
    expect(rescuer.output()).toContain(`shard ${held.slice(0, 12)} completed`);
    expect(completedLines(doomed).length + completedLines(rescuer).length).toBe(4);
    expect(doomed.output()).not.toContain(`shard ${held.slice(0, 12)} completed`);
  });

  it('Redis restarted mid-sweep: the sweep completes, the same bytes', async () => {
    const workers = [await worker(), await worker()];
    const run = submit('restarted', ['--shard-size', '128']);
    await waitFor(() => workers.some((w) => completedLines(w).length > 0), 'a first shard done');
    await redis.restart();
    await finished(run);
    expect(sweepCsv('restarted')).toBe(local);
    expect(workers.map((w) => completedLines(w).length).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(8);
  });

  it('training on the queue gives the model id training on threads gives', async () => {
    const here = cli(['train', '-c', trainConfig, '--threads', '1']);
    expect(here.code, here.stderr).toBe(0);
    const idOf = (text: string) => /^model ([0-9a-f]{16}): trained on/m.exec(text)?.[1];
    const one = await worker();
    const queued = start(process.execPath, [CLI, 'train', '-c', trainConfig, '--queue', redis.url], {
      DATA_ROOT: root,
    });
    const output = await finished(queued);
    expect(output).toMatch(/queue: redis [\d.]+ at redis:\/\/127\.0\.0\.1:\d+\/0; 3 networks over snapshot/);
    expect(output).toContain('train 100.0%  3/3 networks');
    expect(idOf(output)).toBeDefined();
    expect(idOf(output)).toBe(idOf(here.stdout));
    expect(completedLines(one)).toHaveLength(3);
  });

  it('a shard whose snapshot the worker cannot reproduce is refused at once, with its cause', async () => {
    const plan = join(work, 'tampered');
    expect(cli(['sweep', ...WINDOW, ...GRID, '--plan', plan]).code).toBe(0);
    const shared = join(plan, 'snapshots');
    const copy = join(work, 'their-snapshots');
    cpSync(shared, copy, { recursive: true });
    const [id] = readdirSync(copy);
    const month = join(copy, id!, '2024-01.bars');
    const bytes = readFileSync(month);
    bytes[8] = bytes[8]! ^ 0x40;
    writeFileSync(month, bytes);
    const theirs = await worker({ SNAPSHOTS_DIR: copy });
    const run = submit('refused', ['--snapshots', shared, '--shard-size', '512']);
    expect(await exited(run)).toBe(2);
    expect(run.output()).toMatch(
      /error \[data_invalid\]: the run failed on the queue: shard [0-9a-f]{12} failed after 1 attempt\(s\): \[data_invalid\] snapshot [0-9a-f]{12} in .*their-snapshots: 2024-01\.bars is not the file the manifest names/,
    );
    expect(theirs.output()).toMatch(/shard [0-9a-f]{12} failed in [\d,]+ ms \(attempt 1\): \[data_invalid\]/);
    const status = cli(['queue', 'status', '--queue', redis.url]);
    expect(status.stdout).toMatch(
      /failed \(latest \d+\):\n +[0-9a-f]{12} +1 attempts +\[data_invalid\] snapshot/,
    );
  });

  it('an unreachable or evicting Redis is one clear line, the password never shown', () => {
    const away = cli(['queue', 'status', '--queue', 'redis://:hunter2@127.0.0.1:1/0']);
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(
      /^error \[queue_unavailable\]: redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 is unreachable: .*ECONNREFUSED/,
    );
    expect(away.stderr.trim().split('\n')).toHaveLength(1);
    expect(away.stdout + away.stderr).not.toContain('hunter2');
    redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const evicting = cli(['sweep', ...WINDOW, ...GRID, '--queue', redis.url]);
      expect(evicting.code).toBe(2);
      expect(evicting.stderr).toContain(
        `error [config_invalid]: redis at ${redis.url} has maxmemory-policy allkeys-lru: it may evict queued jobs; set maxmemory-policy noeviction`,
      );
    } finally {
      redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('the Indexed Job entrypoint, run here for each index and collected, gives the local sweep.csv', () => {
    const plan = join(work, 'plan');
    const planned = cli(['sweep', ...WINDOW, ...GRID, '--plan', plan, '--shard-size', '256']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('plan: 4 shards in');
    const early = cli(['sweep', '--collect', join(plan, 'plan.json'), '--runid', 'early']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('4 of 4 indexes have no result');
    for (let index = 0; index < 4; index++) {
      const shard = cli(['shard', '--plan', join(plan, 'plan.json')], {
        JOB_COMPLETION_INDEX: String(index),
      });
      expect(shard.code, shard.stderr).toBe(0);
      expect(shard.stdout).toMatch(new RegExp(`^index ${index}: shard [0-9a-f]{12} in`));
    }
    const retried = cli(['shard', '--plan', join(plan, 'plan.json'), '--index', '2']);
    expect(retried.stdout).toContain('index 2: done already');
    const collected = cli(['sweep', '--collect', join(plan, 'plan.json'), '--runid', 'indexed']);
    expect(collected.code, collected.stderr).toBe(0);
    expect(sweepCsv('indexed')).toBe(local);
  });
});
