/**
 * Lake -> typed arrays: 1e7 one-minute bars (6,945 UTC day partitions) read into Float64Arrays,
 * from the day partitions (parquet, through DuckDB) and through the read cache's month files (raw
 * columns), against DuckDB's own scan of the day files with no transfer (the floor of any parquet
 * reader), in the same process.
 *
 *   make bench-lake                  (BENCH_BARS=1e6 for a quick run; BENCH_LAKE=<dir> keeps the lake)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { barsFromSeries, generateSeries, type MarketKey, timeframe, tsMs } from '@mjolnir/lib';
import { Duck, Lake } from '@mjolnir/lib/store';

const BARS = Number(process.env['BENCH_BARS'] ?? 1e7);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const TARGET = 5e6;
const key: MarketKey = { exchange: 'bench', symbol: 'BTC/USDT', timeframe: '1m' };
const keep = process.env['BENCH_LAKE'];
const root = keep ?? mkdtempSync(join(tmpdir(), 'mjolnir-bench-lake-'));
const say = (line: string) => process.stderr.write(`${line}\n`);

const lake = await Lake.open(root);
try {
  const stored = await lake.bounds(key);
  const expected = BARS;
  if (stored === null || (stored.last - stored.first) / 60_000 + 1 !== expected) {
    if (existsSync(lake.layout.rawDir(key))) rmSync(lake.layout.rawDir(key), { recursive: true });
    say(`writing ${BARS.toLocaleString('en-US')} bars into ${root} (setup, not measured)...`);
    const tf = timeframe('1m');
    const start = Date.UTC(2000, 0, 1) + tf.ms;
    const chunk = 250_000;
    for (let i = 0; i < BARS; i += chunk) {
      const n = Math.min(chunk, BARS - i);
      const series = generateSeries({ seed: 1 + i, timeframe: tf, startTs: tsMs(start + i * tf.ms) }, n);
      await lake.write(key, barsFromSeries(series));
      if ((i / chunk) % 8 === 0) say(`  ${(((i + n) / BARS) * 100).toFixed(0)}%`);
    }
  }
  const days = lake.days(key).length;
  const cache = join(root, 'cache');
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const time = async (label: string, read: () => Promise<number>) => {
    const millis: number[] = [];
    for (let r = 0; r < REPEATS + 1; r++) {
      const started = performance.now();
      const rows = await read();
      if (rows !== BARS) throw new Error(`${label}: read ${rows} rows, expected ${BARS}`);
      if (r > 0) millis.push(performance.now() - started);
    }
    say(`  ${label}: ${millis.map((m) => m.toFixed(0)).join(', ')} ms`);
    return median(millis);
  };

  // Floor of a parquet reader: DuckDB scanning the day files with nothing transferred to JavaScript.
  const duck = await Duck.open();
  const scanFiles = async () => {
    const source = lake.sourceFor(key, 0, Number.MAX_SAFE_INTEGER)!;
    return (
      (await duck.scalar(
        `SELECT count(*) FROM ${source} WHERE isfinite(open + high + low + close + volume + ts_ms)`,
      )) ?? 0
    );
  };
  rmSync(cache, { recursive: true, force: true });
  const dayScan = await time('DuckDB scan only, day files', scanFiles);
  const dayRead = await time(
    'lake.read, day files',
    async () => (await lake.read(key, 0, Number.MAX_SAFE_INTEGER)).length,
  );
  const compaction = performance.now();
  const report = await lake.compact(key);
  const compactMs = performance.now() - compaction;
  const monthRead = await time(
    'lake.read, month files',
    async () => (await lake.read(key, 0, Number.MAX_SAFE_INTEGER)).length,
  );
  duck.close();

  const rate = (ms: number) => BARS / (ms / 1000);
  const m = (x: number) => `${(x / 1e6).toFixed(2)}M rows/s`;
  const lines = [
    `lake benchmark: ${BARS.toLocaleString('en-US')} 1m bars, ${days} day partitions, ${report.built.length} month files (compaction ${compactMs.toFixed(0)} ms), node ${process.version}, median of ${REPEATS}`,
    `  read, month files         ${monthRead.toFixed(0).padStart(6)} ms  ${m(rate(monthRead))}  (${(dayScan / monthRead).toFixed(2)}x DuckDB's scan-only speed over the day files)  target >= ${m(TARGET)}: ${rate(monthRead) >= TARGET ? 'MET' : 'MISSED'}`,
    `  read, day files           ${dayRead.toFixed(0).padStart(6)} ms  ${m(rate(dayRead))}  (${(dayScan / dayRead).toFixed(2)} of DuckDB's scan-only speed)`,
    `  DuckDB scan only          ${dayScan.toFixed(0).padStart(6)} ms (day files, nothing transferred)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  lake.close();
  if (keep === undefined) rmSync(root, { recursive: true, force: true });
}
