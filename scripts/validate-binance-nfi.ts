/**
 * Validation on real exchange data (not a test: it needs ../shared/data, which the suite must not).
 * Imports Binance BTC/USDT 5m from the freqtrade JSON into a fresh lake, reports its gaps, resamples
 * to 1h in DuckDB and compares with the exchange's own 1h candles.
 *
 *   make validate            (SHARED_DATA=../shared/data by default)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Bar, gapReport, isoUtc, type MarketKey, timeframe } from '@mjolnir/lib';
import { Lake, parseFreqtradeJson, resample } from '@mjolnir/lib/store';

const shared = process.env['SHARED_DATA'] ?? join('..', 'shared', 'data');
const dir = join(shared, 'binance-nfi');
if (!existsSync(join(dir, 'BTC_USDT-5m.json'))) {
  process.stderr.write(`${dir}/BTC_USDT-5m.json not found (set SHARED_DATA)\n`);
  process.exit(2);
}

const tf5 = timeframe('5m');
const tf1h = timeframe('1h');
const key: MarketKey = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' };
const root = mkdtempSync(join(tmpdir(), 'mjolnir-validate-'));
const lake = await Lake.open(root);
const out = (line = '') => process.stdout.write(`${line}\n`);

try {
  let started = performance.now();
  const five = parseFreqtradeJson(readFileSync(join(dir, 'BTC_USDT-5m.json'), 'utf8'), tf5);
  await lake.write(key, five.bars);
  out(
    `import   ${five.bars.length} 5m bars, ${five.flags.length} rows flagged, ${lake.days(key).length} day partitions (${(performance.now() - started).toFixed(0)} ms)`,
  );
  for (const [flag, count] of Object.entries(countBy(five.flags.map((f) => f.flag))))
    out(`         flagged ${flag}: ${count}`);

  const first = five.bars[0]!.ts;
  const last = five.bars.at(-1)!.ts;
  const report = gapReport(await lake.read(key, first, last), tf5, first, last);
  out(
    `gaps     ${isoUtc(first)} .. ${isoUtc(last)}: expected ${report.expected}, present ${report.present}, missing ${report.missing} in ${report.gaps.length} gaps`,
  );
  out(`         ${report.invalid} unusable bars, ${report.zeroVolume} bars with zero volume`);
  for (const gap of [...report.gaps].sort((a, b) => b.bars - a.bars).slice(0, 5)) {
    out(
      `         largest: ${isoUtc(gap.from)} .. ${isoUtc(gap.to)} (${gap.bars} bars, ${((gap.bars * 5) / 60).toFixed(1)} h)`,
    );
  }

  started = performance.now();
  const hourly = await resample(lake, key, '1h', first, last);
  const partial = await resample(lake, key, '1h', first, last, { completeOnly: false });
  out(
    `resample ${hourly.series.length} complete 1h bars (${partial.series.length - hourly.series.length} hours incomplete in the 5m data) in ${(performance.now() - started).toFixed(0)} ms`,
  );

  const exchange = parseFreqtradeJson(readFileSync(join(dir, 'BTC_USDT-1h.json'), 'utf8'), tf1h).bars;
  const byTs = new Map<number, Bar>(exchange.map((b) => [b.ts, b]));
  const fields = ['open', 'high', 'low', 'close', 'volume'] as const;
  const worst: Record<string, number> = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let compared = 0;
  let identical = 0;
  let onlyOurs = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < hourly.series.length; i++) {
    const ts = hourly.series.ts[i]!;
    const theirs = byTs.get(ts);
    if (theirs === undefined) {
      onlyOurs++;
      continue;
    }
    compared++;
    let same = true;
    for (const field of fields) {
      const ours = hourly.series[field][i]!;
      const diff = Math.abs(ours - theirs[field]);
      // Prices match to the cent; volume is a sum of 12 decimal numbers (float rounding only).
      const tolerance = field === 'volume' ? 1e-6 * Math.max(1, theirs.volume) : 1e-9;
      if (diff > tolerance) same = false;
      worst[field] = Math.max(
        worst[field]!,
        field === 'volume' ? diff / Math.max(1e-12, theirs.volume) : diff,
      );
    }
    if (same) identical++;
    else if (mismatches.length < 5)
      mismatches.push(
        `${isoUtc(ts)} ours ${fields.map((f) => hourly.series[f][i]).join('/')} exchange ${fields.map((f) => theirs[f]).join('/')}`,
      );
  }
  const inWindow = exchange.filter(
    (b) => b.ts >= hourly.series.ts[0]! && b.ts <= hourly.series.ts[hourly.series.length - 1]!,
  ).length;
  out(
    `compare  exchange 1h bars in window: ${inWindow}; compared ${compared}; identical ${identical}; differing ${compared - identical}; ours without an exchange bar: ${onlyOurs}`,
  );
  out(`         exchange hours we could not rebuild (5m bars missing): ${inWindow - compared}`);
  out(
    `         largest differences: open ${worst['open']}, high ${worst['high']}, low ${worst['low']}, close ${worst['close']}, volume (relative) ${worst['volume']!.toExponential(2)}`,
  );
  for (const line of mismatches) out(`         e.g. ${line}`);
} finally {
  lake.close();
  rmSync(root, { recursive: true, force: true });
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
