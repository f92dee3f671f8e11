/**
 * Monitoring must not slow the loop: `mjolnir paper` (its own process, as operators run it) against
 * the simulator at 300x (in this process), first alone, then under 1,000 requests kept in flight
 * (half `GET /health`, half `GET /metrics`). Reported for both phases: how far the loop falls behind
 * the simulator's clock (bars past the current one, sampled every 100 ms; target: under one, i.e. 0
 * bars behind, under load as alone) and the exchange calls per minute (target: no more under load
 * than alone, +10% for noise: no HTTP request reaches the exchange; fewer means the loop polled less
 * often while its process answered the load, said as the ratio). Under load also: requests answered
 * per second and any that failed.
 *
 *   make bench-http             (LOAD_SECONDS=30, LOAD_CONCURRENCY=1000)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataLayout, systemClock, trailingDecisions } from '@mjolnir/lib';
import { FaultPlan, SyntheticSource, startSimServer, VirtualClock } from '@mjolnir/lib/sim';

const SECONDS = Number(process.env['LOAD_SECONDS'] ?? 30);
const CONCURRENCY = Number(process.env['LOAD_CONCURRENCY'] ?? 1000);
const SPEED = 300;
const BAR = 300_000;
const START = Date.UTC(2024, 0, 1);
const say = (line: string) => process.stderr.write(`${line}\n`);

const root = mkdtempSync(join(tmpdir(), 'mjolnir-bench-http-'));
const sim = await startSimServer({
  clock: new VirtualClock(START, SPEED, systemClock),
  markets: { 'BTC/USDT': new SyntheticSource(START - 3 * 86_400_000, 5, 'BTC/USDT') },
  faults: new FaultPlan(),
});
const config = join(root, 'load.yaml');
writeFileSync(
  config,
  `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: load
simulator: { port: ${sim.port}, speed: ${SPEED} }
strategy: { id: ema_cross_atr, params: { fast: 5, slow: 13, atr_period: 7, allow_short: true } }
`,
);
const journal = new DataLayout(root).decisions('load', 'BTC/USDT', '5m');
const child: ChildProcess = spawn(
  process.execPath,
  [fileURLToPath(new URL('../cli/main.js', import.meta.url)), 'paper', '-c', config],
  {
    env: { MALLOC_ARENA_MAX: '2', ...process.env, DATA_ROOT: root, HTTP_PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
process.once('exit', () => child.kill('SIGKILL'));
const url = await new Promise<URL>((resolve, reject) => {
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const found = /"http":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(text);
    if (found) resolve(new URL(found[1]!));
  });
  child.once('exit', (code) => reject(new Error(`the paper loop exited (${code})`)));
});
child.stdout!.resume();

/** Bars the loop is behind the simulator's clock past the current one (0 while it keeps up). */
function behind(): number {
  const last = trailingDecisions(journal, 1).rows.at(-1)?.ts;
  return last === undefined ? 0 : Math.max(0, (sim.clock.now() - last) / BAR - 1);
}
const exchangeCalls = () => Object.values(sim.requests).reduce((a, n) => a + n, 0);

interface Phase {
  readonly maxBehind: number;
  readonly callsPerMinute: number;
  readonly answered: number;
  readonly failed: number;
}

/**
 * The load, on a thread of its own: the simulator answers the loop from this thread's event loop, which
 * must not be the one generating a thousand requests (the exchange would seem slow, not the loop).
 */
const LOAD = `
const { workerData, parentPort } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { host, port, load } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: load });
let running = true, answered = 0, failed = 0;
const one = (path) => new Promise((resolve) => {
  const req = request({ host, port, path, agent }, (res) => {
    res.resume();
    res.once('end', () => { if (res.statusCode === 200 || res.statusCode === 503) answered++; else failed++; resolve(); });
  });
  req.once('error', () => { failed++; resolve(); });
  req.end();
});
const worker = async (path) => { while (running) await one(path); };
const workers = Array.from({ length: load }, (_, i) => worker(i % 2 === 0 ? '/health' : '/metrics'));
parentPort.once('message', async () => {
  running = false;
  await Promise.all(workers);
  agent.destroy();
  parentPort.postMessage({ answered, failed });
});
`;

/** One phase: samples the lag every 100 ms for SECONDS, with `load` requests kept in flight. */
async function phase(load: number): Promise<Phase> {
  const loader =
    load === 0
      ? null
      : new Worker(LOAD, { eval: true, workerData: { host: url.hostname, port: url.port, load } });
  const calls = exchangeCalls();
  const began = performance.now();
  let maxBehind = 0;
  while (performance.now() - began < SECONDS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    maxBehind = Math.max(maxBehind, behind());
  }
  const callsPerMinute = (exchangeCalls() - calls) / ((performance.now() - began) / 60_000);
  if (loader === null) return { maxBehind, callsPerMinute, answered: 0, failed: 0 };
  const counts = new Promise<{ answered: number; failed: number }>((resolve) =>
    loader.once('message', resolve),
  );
  loader.postMessage('stop');
  const { answered, failed } = await counts;
  await loader.terminate();
  return { maxBehind, callsPerMinute, answered, failed };
}

try {
  // Warm up: the loop's first decisions (history, warmup) before anything is measured.
  while (trailingDecisions(journal, 1).rows.length === 0) await new Promise((r) => setTimeout(r, 200));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  say(`alone for ${SECONDS} s...`);
  const alone = await phase(0);
  say(`under ${CONCURRENCY} requests in flight for ${SECONDS} s...`);
  const loaded = await phase(CONCURRENCY);
  const ratio = loaded.callsPerMinute / alone.callsPerMinute;
  const ok = loaded.maxBehind < 1 && ratio <= 1.1;
  process.stdout.write(
    `http load: mjolnir paper against the simulator at ${SPEED}x, ${SECONDS} s a phase, node ${process.version}\n` +
      `  alone                    max ${alone.maxBehind.toFixed(2)} bar(s) behind, ${alone.callsPerMinute.toFixed(0)} exchange calls/min\n` +
      `  ${CONCURRENCY} /health+/metrics   max ${loaded.maxBehind.toFixed(2)} bar(s) behind, ${loaded.callsPerMinute.toFixed(0)} exchange calls/min (${ratio.toFixed(2)}x alone), ${(loaded.answered / SECONDS).toFixed(0)} requests/s answered, ${loaded.failed} failed\n` +
      `  target: under 1 bar behind (0 bars) and no more exchange calls than alone (+10%): ${ok ? 'MET' : 'MISSED'}\n`,
  );
} finally {
  child.kill('SIGTERM');
  await sim.close();
}
