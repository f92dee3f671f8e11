/**
 * The paper loop without the exchange: from a bar being available to its decision row being durable
 * (persist to the lake, decide, append and fsync the journal, snapshot), per bar; and the catch-up of
 * one day of 5m bars after downtime. Baseline in the same process: a bare fsync'd append of one row.
 *
 *   make bench-paper            (BENCH_BARS=300 bars of steady operation)
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  barsFromSeries,
  createEngine,
  engineSpecOf,
  generateSeries,
  loadConfig,
  MemoryMarketData,
  streamsOf,
  TestClock,
  timeframe,
  tsMs,
} from '@mjolnir/lib';
import { ExchangeClock, MemoryLogger, StreamLoop, venueFor } from '@mjolnir/lib/live';
import { Lake } from '@mjolnir/lib/store';

const STEADY = Number(process.env['BENCH_BARS'] ?? 300);
const DAY = 288;
const TARGET_P99_MS = 50;
const TARGET_CATCHUP_MS = 1000;
const config = loadConfig('configs/sim.yaml');
const stream = streamsOf(config)[0]!;
const tf = timeframe(config.timeframe);
const root = mkdtempSync(join(tmpdir(), 'mjolnir-bench-paper-'));
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

async function open(source: MemoryMarketData, clock: TestClock) {
  const lake = await Lake.open(root);
  const loop = await StreamLoop.open({
    stream,
    engine: createEngine(engineSpecOf(config)),
    source,
    lake,
    clock,
    exchangeClock: new ExchangeClock(clock, 1),
    venue: venueFor(config),
    log: new MemoryLogger(),
    settings: {
      historyBars: 500,
      fetchGraceBars: 2,
      forceFetchFail: false,
      forcePersistFail: false,
      enforceMonotonic: true,
    },
  });
  return { loop, lake };
}

try {
  const history = 500;
  const bars = barsFromSeries(
    generateSeries(
      { seed: 3, timeframe: tf, startTs: tsMs(Date.UTC(2024, 0, 1) + tf.ms) },
      history + STEADY + DAY + 2,
    ),
  );
  const source = new MemoryMarketData(bars);
  const clock = new TestClock(bars[0]!.ts);
  const { loop, lake } = await open(source, clock);
  source.release(history + 1);
  await loop.iterate(); // first start: warmup and the first decision

  // Steady operation: one new closed bar per poll, the exchange answering instantly.
  const latencies: number[] = [];
  for (let i = 0; i < STEADY; i++) {
    source.release(1);
    const started = performance.now();
    const report = await loop.iterate();
    latencies.push(performance.now() - started);
    if (report.decided !== 1) throw new Error(`expected one decision per poll, got ${report.decided}`);
  }

  // Downtime: one day of bars arrives at once.
  source.release(DAY);
  const started = performance.now();
  const caughtUp = await loop.iterate();
  const catchupMs = performance.now() - started;
  if (caughtUp.decided !== DAY) throw new Error(`expected ${DAY} decisions, got ${caughtUp.decided}`);
  loop.close();
  lake.close();

  // Baseline: the floor of any durable decision, one fsync'd append.
  const file = join(root, 'baseline.csv');
  const fd = openSync(file, 'a');
  const fsyncs: number[] = [];
  for (let i = 0; i < STEADY; i++) {
    const t = performance.now();
    writeSync(fd, `binance,BTC/USDT,5m,${i},hold,no_signal,flat\n`);
    fsyncSync(fd);
    fsyncs.push(performance.now() - t);
  }
  closeSync(fd);

  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  const fsyncP99 = percentile(fsyncs, 0.99);
  const lines = [
    `paper loop benchmark (exchange excluded): ${STEADY} polls of one new bar each, then one day (${DAY} bars) of catch-up; node ${process.version}`,
    `  bar available -> durable decision   p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms  (target p99 <= ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'MET' : 'MISSED'})`,
    `  baseline fsync'd append              p50 ${percentile(fsyncs, 0.5).toFixed(2)} ms, p99 ${fsyncP99.toFixed(2)} ms; the loop's p99 is ${(p99 / fsyncP99).toFixed(1)}x that`,
    `  catch-up of one day of 5m bars      ${catchupMs.toFixed(0)} ms, ${DAY} decisions  (target <= ${TARGET_CATCHUP_MS} ms: ${catchupMs <= TARGET_CATCHUP_MS ? 'MET' : 'MISSED'})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
