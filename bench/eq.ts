/**
 * Equivalence over one year of 5m decisions (105,120 rows a side): what `mjolnir eq` does (read and
 * parse both journals, compare decisions and trade lifecycles, format the report) against reading
 * the two files' bytes alone in the same process. eq reads the journals through the read side (the
 * decisions as columns, without their numbers: they are read back only for a mismatch).
 *
 *   make bench-eq                    (BENCH_DAYS=30 for a quick run)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  barsFromSeries,
  engineSpecOf,
  generateSeries,
  loadConfig,
  streamsOf,
  timeframe,
  tsMs,
} from '@mjolnir/lib';
import { runBacktest } from '@mjolnir/lib/backtest';
import { eqTags, formatEq } from '@mjolnir/lib/equivalence';
import { Lake } from '@mjolnir/lib/store';

const DAYS = Number(process.env['BENCH_DAYS'] ?? 365);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 5);
const TARGET_MS = 1000;
/** eq through the read side: at most this many times the cost of reading the files' bytes. */
const TARGET_RATIO = 10;
const root = mkdtempSync(join(tmpdir(), 'mjolnir-bench-eq-'));
const say = (line: string) => process.stderr.write(`${line}\n`);

const config = loadConfig('configs/default.yaml');
const spec = engineSpecOf(config);
const stream = { ...streamsOf(config)[0]!, exchange: 'bench', tag: 'live' };
const tf = timeframe('5m');
const rows = (DAYS * 86_400_000) / tf.ms;
const warmup = 2 * spec.strategy.stableWarmupBars;
const first = Date.UTC(2023, 0, 1) + tf.ms;
const start = first + warmup * tf.ms;
const end = start + (rows - 1) * tf.ms;

const lake = await Lake.open(root);
try {
  say(`setup (not measured): ${rows.toLocaleString('en-US')} bars, two journals of the same window...`);
  const series = generateSeries({ seed: 7, timeframe: tf, startTs: tsMs(first) }, rows + warmup);
  await lake.write(stream, barsFromSeries(series));
  // Two journals of one window: a "LIVE" one (features written, as LIVE does) and a backtest.
  const live = await runBacktest(lake, {
    spec,
    stream,
    runId: 'a',
    start,
    end,
    codeVersion: 'bench',
    now: 0,
    explain: true,
  });
  await runBacktest(lake, { spec, stream, runId: 'b', start, end, codeVersion: 'bench', now: 0 });
  const liveTag = live.tag;
  const btTag = `${stream.tag}_bt_b`;

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const eqMs: number[] = [];
  const readMs: number[] = [];
  let report = '';
  for (let r = 0; r < REPEATS + 1; r++) {
    let t = performance.now();
    const result = eqTags(lake.layout, stream, liveTag, btTag);
    report = formatEq(result, `eq: ${liveTag} vs ${btTag}`);
    if (r > 0) eqMs.push(performance.now() - t);
    if (!result.overall || result.decisions.compared !== rows)
      throw new Error(`unexpected result:\n${report}`);
    t = performance.now();
    let bytes = 0;
    for (const tag of [liveTag, btTag])
      for (const path of [
        lake.layout.decisions(tag, stream.symbol, '5m'),
        lake.layout.trades(tag, stream.symbol, '5m'),
      ])
        bytes += readFileSync(path).length;
    if (r > 0) readMs.push(performance.now() - t);
    if (bytes === 0) throw new Error('empty journals');
  }
  const eq = median(eqMs);
  const read = median(readMs);
  const lines = [
    `eq benchmark: ${DAYS} days of 5m decisions (${rows.toLocaleString('en-US')} rows a side, ${live.trades.trades} trades), node ${process.version}, median of ${REPEATS}`,
    `  eq (read, parse, compare, report)  ${eq.toFixed(0).padStart(5)} ms  target <= ${TARGET_MS} ms: ${eq <= TARGET_MS ? 'MET' : 'MISSED'}`,
    `  reading the files' bytes alone     ${read.toFixed(0).padStart(5)} ms  (eq takes ${(eq / read).toFixed(1)}x that; target <= ${TARGET_RATIO}x: ${eq / read <= TARGET_RATIO ? 'MET' : 'MISSED'})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  lake.close();
  rmSync(root, { recursive: true, force: true });
}
