/**
 * A soak of the paper loop as operators run it: `mjolnir paper` (its own process) against the
 * simulated exchange (in this process) for 100k 5m bars (SOAK_BARS), its resident memory sampled from /proc as it
 * decides them, run as `make paper` runs it. Reported: the resident-memory curve (every tenth of the
 * bars), split into anonymous and file-backed memory, the JS heap (in use, of its total) and external
 * memory; the slope after warm-up (the first tenth) by least squares over every sample (the target)
 * and over the second half alone (whether the growth levels off); the target
 * is at most 0.5 MB per 10k bars. SOAK_SNAPSHOTS=1 also writes heap snapshots of the loop at both ends
 * of the measured part (to find what grows).
 *
 *   make bench-soak             (SOAK_BARS=100000, SOAK_SPEED=30000)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DataLayout, systemClock } from '@mjolnir/lib';
import { FaultPlan, SyntheticSource, startSimServer, VirtualClock } from '@mjolnir/lib/sim';

const BARS = Number(process.env['SOAK_BARS'] ?? 100_000);
const SPEED = Number(process.env['SOAK_SPEED'] ?? 30_000);
const SNAPSHOTS = process.env['SOAK_SNAPSHOTS'] === '1';
/** MB of resident memory per 10k bars after warm-up. */
const TARGET_SLOPE = 0.5;
const START = Date.UTC(2024, 0, 1);
const say = (line: string) => process.stderr.write(`${line}\n`);

const root = mkdtempSync(join(tmpdir(), 'mjolnir-soak-'));
const sim = await startSimServer({
  clock: new VirtualClock(START, SPEED, systemClock),
  markets: { 'BTC/USDT': new SyntheticSource(START - 3 * 86_400_000, 7, 'BTC/USDT') },
  faults: new FaultPlan(),
});
const config = join(root, 'soak.yaml');
writeFileSync(
  config,
  `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: soak
simulator: { port: ${sim.port}, speed: ${SPEED} }
strategy: { id: ema_cross_atr, params: { fast: 5, slow: 13, atr_period: 7, allow_short: true } }
paper: { fetch_grace_bars: 1000 }
`,
);
const journal = new DataLayout(root).decisions('soak', 'BTC/USDT', '5m');

/** Resident memory of a process in MB: all of it, and its anonymous and file-backed parts. */
function resident(pid: number): { mb: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return { mb: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

function decided(): number {
  try {
    return readFileSync(journal, 'utf8').split('\n').length - 2;
  } catch {
    return 0;
  }
}

/** A port nobody listens on now: the loop serves /metrics there, where the JS heap is read. */
const port = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = server.address() as { port: number };
    server.close(() => resolve(free));
  });
});

/**
 * The loop's JavaScript heap in use and its external memory (buffers, native objects V8 is told
 * of), in MB, from its own metrics (NaN when it does not answer).
 */
async function heapMb(): Promise<{ heap: number; heapTotal: number; external: number }> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const mb = (name: string) =>
      Number(new RegExp(`^mjolnir_nodejs_${name} (\\S+)$`, 'm').exec(text)?.[1]) / 1048576;
    return {
      heap: mb('heap_size_used_bytes'),
      heapTotal: mb('heap_size_total_bytes'),
      external: mb('external_memory_bytes'),
    };
  } catch {
    return { heap: Number.NaN, heapTotal: Number.NaN, external: Number.NaN };
  }
}

const flags = SNAPSHOTS ? ['--heapsnapshot-signal=SIGUSR2'] : [];
const child: ChildProcess = spawn(
  process.execPath,
  [...flags, fileURLToPath(new URL('../cli/main.js', import.meta.url)), 'paper', '-c', config],
  {
    // As `make paper` runs it (two malloc arenas: see the Makefile).
    env: {
      MALLOC_ARENA_MAX: '2',
      ...process.env,
      DATA_ROOT: root,
      LOG_LEVEL: 'warn',
      HTTP_PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
// The loop goes with this process, however it ends.
process.once('exit', () => child.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const began = performance.now();
const samples: {
  bars: number;
  mb: number;
  anon: number;
  file: number;
  heap: number;
  heapTotal: number;
  external: number;
}[] = [];
let warm: { bars: number; mb: number } | null = null;
try {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (child.exitCode !== null) throw new Error(`the paper loop exited (${child.exitCode})`);
    const bars = decided();
    const memory = resident(child.pid!);
    samples.push({ bars, ...memory, ...(await heapMb()) });
    const mb = memory.mb;
    if (warm === null && bars >= BARS / 10) {
      warm = { bars, mb };
      if (SNAPSHOTS) child.kill('SIGUSR2');
    }
    if (samples.length % 15 === 0)
      say(`  ${bars.toLocaleString('en-US')} bars, ${mb.toFixed(0)} MB resident`);
    if (bars >= BARS) break;
  }
  if (SNAPSHOTS) {
    child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
} finally {
  child.kill('SIGTERM');
  await exited;
  await sim.close();
}
const end = samples.at(-1)!;
const measured = samples.filter((s) => s.bars >= warm!.bars);
const peak = Math.max(...measured.map((s) => s.mb));
const slope = leastSquaresSlope(measured) * 10_000;
/** The slope over the second half of the bars alone: whether the growth levels off (not the target). */
const secondHalf = leastSquaresSlope(samples.filter((s) => s.bars >= BARS / 2)) * 10_000;
/** The slope of one part of the memory, MB per 10k bars, over the samples where it was read. */
const slopeOf = (part: 'anon' | 'file' | 'heap' | 'heapTotal' | 'external') =>
  leastSquaresSlope(
    measured.filter((s) => Number.isFinite(s[part])).map((s) => ({ bars: s.bars, mb: s[part] })),
  ) * 10_000;
const seconds = (performance.now() - began) / 1000;
/** The curve: the first sample past each tenth of the bars. */
const curve = Array.from(
  { length: 10 },
  (_, i) => samples.find((s) => s.bars >= ((i + 1) * BARS) / 10) ?? end,
);
process.stdout.write(
  `soak: mjolnir paper over ${end.bars.toLocaleString('en-US')} 5m bars against the simulator at ${SPEED}x, ${seconds.toFixed(0)} s (${(end.bars / seconds).toFixed(0)} bars/s), node ${process.version}\n` +
    `  resident memory by bars decided (anonymous + file-backed; within the anonymous part the JS heap in use of its total, and external memory):\n${curve.map((s) => `    ${s.bars.toLocaleString('en-US').padStart(9)}  ${s.mb.toFixed(1)} MB  (anon ${s.anon.toFixed(1)} + file ${s.file.toFixed(1)}; JS heap ${s.heap.toFixed(1)} of ${s.heapTotal.toFixed(1)}, external ${s.external.toFixed(1)})`).join('\n')}\n` +
    `  after warm-up (${warm!.bars.toLocaleString('en-US')} bars) ${warm!.mb.toFixed(1)} MB, at the end ${end.mb.toFixed(1)} MB, peak ${peak.toFixed(1)} MB\n` +
    `  slope after warm-up ${slope.toFixed(2)} MB per 10k bars (least squares over ${measured.length} samples; anon ${slopeOf('anon').toFixed(2)}, file ${slopeOf('file').toFixed(2)}, JS heap ${slopeOf('heap').toFixed(2)} of ${slopeOf('heapTotal').toFixed(2)}, external ${slopeOf('external').toFixed(2)})  target <= ${TARGET_SLOPE}: ${slope <= TARGET_SLOPE ? 'MET' : 'MISSED'}\n` +
    `  over the second half alone ${secondHalf.toFixed(2)} MB per 10k bars (whether the growth levels off)\n`,
);

/** MB per bar, fitted to every sample. */
function leastSquaresSlope(points: readonly { bars: number; mb: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.bars, 0) / n;
  const my = points.reduce((a, p) => a + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.bars - mx) * (p.mb - my);
    den += (p.bars - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
