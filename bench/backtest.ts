/**
 * End-to-end backtest: 1e6 5m bars from the lake (compacted month files, as `lake compact` leaves
 * them) through the engine to decisions.csv, trades.csv and the manifest on disk, against the engine
 * alone over the same bars in the same process (the floor of any backtest host).
 *
 * Measured both ways, one after the other: decisions.csv formatted on worker threads sharing the
 * batches with the engine's thread (the default for large windows), then on the engine's thread.
 * CPU time is reported too: on few cores the run is bound by it. Each way's first two rounds are not
 * counted: they warm the code and start the formatting workers, which later runs in the process reuse
 * (as a notebook's or a sweep's would). The first round, what a one-shot CLI run pays, is reported
 * on its own.
 *
 *   make bench-backtest              (BENCH_BARS=2e5 for a quick run; BENCH_LAKE=<dir> keeps the lake)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  barsFromSeries,
  createEngine,
  engineSpecOf,
  generateSeries,
  loadConfig,
  RUNNING,
  replay,
  sliceSeries,
  streamsOf,
  timeframe,
  tsMs,
} from '@mjolnir/lib';
import { formatThreads, runBacktest } from '@mjolnir/lib/backtest';
import { Lake } from '@mjolnir/lib/store';

const BARS = Number(process.env['BENCH_BARS'] ?? 1e6);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 5);
/** Rounds not counted: the code and the formatting workers settle over the first two runs. */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2);
const TARGET = 2e6;
const keep = process.env['BENCH_LAKE'];
const root = keep ?? mkdtempSync(join(tmpdir(), 'mjolnir-bench-bt-'));
const say = (line: string) => process.stderr.write(`${line}\n`);

const config = loadConfig('configs/default.yaml');
const spec = engineSpecOf(config);
const stream = { ...streamsOf(config)[0]!, exchange: 'bench' };
const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
const tf = timeframe(stream.timeframe);
const warmup = 2 * spec.strategy.stableWarmupBars;
const first = Date.UTC(2010, 0, 1) + tf.ms;
const start = first + warmup * tf.ms;
const end = start + (BARS - 1) * tf.ms;

/** Writes the bars into the lake: run in a child process, so its garbage and DuckDB's write work are gone. */
async function setup(): Promise<void> {
  const lake = await Lake.open(root);
  try {
    if (existsSync(lake.layout.rawDir(key))) rmSync(lake.layout.rawDir(key), { recursive: true });
    const series = generateSeries({ seed: 1, timeframe: tf, startTs: tsMs(first) }, BARS + warmup);
    for (let i = 0; i < series.length; i += 250_000)
      await lake.write(key, barsFromSeries(sliceSeries(series, i, Math.min(series.length, i + 250_000))));
    await lake.compact(key);
  } finally {
    lake.close();
  }
}

if (process.argv.includes('--setup')) {
  await setup();
  process.exit(0);
}
{
  const lake = await Lake.open(root);
  const stored = await lake.bounds(key);
  lake.close();
  if (stored === null || stored.first !== first || stored.last !== end) {
    say(`writing ${(BARS + warmup).toLocaleString('en-US')} bars into ${root} (setup, not measured)...`);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--setup'], {
      env: { ...process.env, BENCH_LAKE: root },
      stdio: 'inherit',
    });
    if (child.status !== 0) throw new Error(`setup failed (${child.status})`);
  }
}

const lake = await Lake.open(root);
try {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  type Round = { total: number; load: number; run: number; write: number; cpu: number };
  const threads = formatThreads();
  const modes = [
    {
      label: `formatting on ${threads} thread${threads === 1 ? '' : 's'}`,
      formatThreads: threads,
      rounds: [] as Round[],
      first: Number.NaN,
    },
    { label: 'formatting inline', formatThreads: 0, rounds: [] as Round[], first: Number.NaN },
  ];
  const engineOnly: number[] = [];
  // One mode's rounds after the other's: a process runs its backtests one way (the threaded way for
  // large windows); switching every run keeps both paths' code from settling and measures that instead.
  for (const mode of modes) {
    for (let r = 0; r < WARMUP + REPEATS; r++) {
      for (const dir of ['processed', 'runs']) rmSync(join(root, dir), { recursive: true, force: true });
      const began = performance.now();
      const cpuBefore = process.cpuUsage();
      const result = await runBacktest(lake, {
        spec,
        stream,
        runId: 'bench',
        start,
        end,
        codeVersion: 'bench',
        now: 0,
        formatThreads: mode.formatThreads,
      });
      const total = performance.now() - began;
      const cpuUsed = process.cpuUsage(cpuBefore);
      const cpu = (cpuUsed.user + cpuUsed.system) / 1000;
      if (result.decisions !== BARS) throw new Error(`decided ${result.decisions} bars, expected ${BARS}`);
      const { loadMs, runMs } = result.timings;
      if (r === 0) mode.first = total;
      if (r >= WARMUP)
        mode.rounds.push({ total, load: loadMs, run: runMs, write: total - loadMs - runMs, cpu });
      say(
        `  round ${r}${r < WARMUP ? ' (warm-up, not counted)' : ''}, ${mode.label}: ${total.toFixed(0)} ms end to end`,
      );
    }
  }
  for (let r = 0; r < REPEATS + 1; r++) {
    // Baseline: the engine alone over the bars the backtest fed, no formatting, no files.
    const series = await lake.read(key, first, end);
    const engine = createEngine(spec);
    const state = engine.init();
    let decided = 0;
    const t = performance.now();
    replay(engine, state, { series, contextAt: () => RUNNING, contextChange: () => Infinity }, (out) => {
      if (out.accepted) decided++;
    });
    if (r > 0) engineOnly.push(performance.now() - t);
    if (decided !== series.length) throw new Error('the engine refused bars');
  }
  const engine = median(engineOnly);
  const m = (x: number) => `${(x / 1e6).toFixed(2)}M bars/s`;
  const lines = [
    `backtest benchmark: ${BARS.toLocaleString('en-US')} 5m bars + ${warmup} warmup, ${config.strategy.id}, ${availableParallelism()} cores, node ${process.version}, median of ${REPEATS} after ${WARMUP} warm-up rounds`,
  ];
  for (const mode of modes) {
    const of = (field: keyof Round) => median(mode.rounds.map((x) => x[field]));
    const total = of('total');
    const rate = BARS / (total / 1000);
    lines.push(
      `  end to end, ${mode.label.padEnd(22)} ${total.toFixed(0).padStart(6)} ms  ${m(rate)}  target >= ${m(TARGET)}: ${rate >= TARGET ? 'MET' : 'MISSED'}  (${(engine / total).toFixed(2)} of the engine's speed)`,
      `    lake load ${of('load').toFixed(0)} ms, engine + decisions.csv + metrics + input hash ${of('run').toFixed(0)} ms, commit (fsync, rename) ${of('write').toFixed(0)} ms`,
      `    CPU time (all threads of this process) ${of('cpu').toFixed(0)} ms: ${(of('cpu') / total).toFixed(2)} cores busy`,
      `    its first round: ${mode.first.toFixed(0)} ms${mode === modes[0] ? ' (a fresh process: code not yet optimised, workers starting, as a one-shot CLI run)' : ''}`,
    );
  }
  lines.push(`  engine alone ${engine.toFixed(0).padStart(6)} ms  ${m(BARS / (engine / 1000))}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  lake.close();
  if (keep === undefined) rmSync(root, { recursive: true, force: true });
}
