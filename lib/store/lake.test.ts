import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../core/index.js';
import type { Bar, MarketKey } from '../market/index.js';
import { barsFromSeries, gapReport, generateSeries } from '../market/index.js';
import { type TsMs, timeframe, tsMs } from '../time/index.js';
import { cacheDir } from './compaction.js';
import { Lake, type LakeWarning } from './lake.js';
import { resample } from './resample.js';

const TF = timeframe('5m');
const DAY0 = Date.UTC(2024, 2, 1);
const KEY: MarketKey = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' };
const bars = (count: number, seed = 1, start = DAY0 + TF.ms) =>
  barsFromSeries(generateSeries({ seed, timeframe: TF, startTs: tsMs(start) }, count));

let root: string;
let lake: Lake;
const opened: Lake[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'mjolnir-lake-'));
  lake = await Lake.open(root);
  opened.push(lake);
});
afterAll(() => {
  for (const l of opened) l.close();
});

describe('the lake', () => {
  it('reads back exactly what was written, across day partitions, unusable values included', async () => {
    const written = bars(1000);
    written[10] = { ...written[10]!, close: Number.NaN };
    written[20] = { ...written[20]!, high: written[20]!.low / 2 };
    const report = await lake.write(KEY, written);
    expect(report.written).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
    const series = await lake.read(KEY, 0, 4e12);
    const back = barsFromSeries(series);
    expect(back).toHaveLength(1000);
    expect(back[10]!.close).toBeNaN();
    expect(back).toEqual(written);
    // "Everything" is a valid window too.
    expect((await lake.read(KEY, 0, Number.MAX_SAFE_INTEGER)).length).toBe(1000);
  });

  it('files a bar under the UTC day it opens in (the 00:00 close belongs to the day before)', async () => {
    await lake.write(KEY, bars(288));
    expect(lake.days(KEY)).toEqual(['2024-03-01']);
    expect(Lake.dayOf(DAY0 + 86_400_000, TF)).toBe('2024-03-01');
    expect(Lake.dayOf(DAY0 + 86_400_000 + TF.ms, TF)).toBe('2024-03-02');
  });

  it('merges with what is stored, later writes winning, and never rewrites an unchanged partition', async () => {
    const first = bars(600);
    await lake.write(KEY, first);
    const file = lake.layout.partition(KEY, '2024-03-01');
    const before = statSync(file).mtimeMs;
    const again = await lake.write(KEY, first.slice(100, 200));
    expect(again).toEqual({ written: [], unchanged: ['2024-03-01'], rows: 100 });
    expect(statSync(file).mtimeMs).toBe(before);

    const revised: Bar = { ...first[150]!, close: first[150]!.close * 1.01, high: first[150]!.high * 1.02 };
    const duplicateInBatch: Bar = { ...revised, volume: 123 };
    await lake.write(KEY, [revised, duplicateInBatch]);
    const back = barsFromSeries(await lake.read(KEY, first[150]!.ts, first[150]!.ts));
    expect(back).toEqual([duplicateInBatch]);
    expect((await lake.read(KEY, 0, 4e12)).length).toBe(600);
  });

  it('refuses a misaligned bar and writes nothing', async () => {
    const bad = { ...bars(1)[0]!, ts: (DAY0 + 1234) as TsMs };
    await expect(lake.write(KEY, [...bars(10), bad])).rejects.toThrow(/not aligned to 5m/);
    expect(lake.days(KEY)).toEqual([]);
  });

  it('ignores leftovers of an interrupted write (temporary files) when listing and reading', async () => {
    await lake.write(KEY, bars(100));
    writeFileSync(join(lake.layout.rawDir(KEY), '.2024-03-02.parquet.tmp-999-dead'), 'half a file');
    expect(lake.days(KEY)).toEqual(['2024-03-01']);
    expect((await lake.read(KEY, 0, 4e12)).length).toBe(100);
    expect(readdirSync(lake.layout.rawDir(KEY)).filter((n) => n.endsWith('.parquet'))).toEqual([
      '2024-03-01.parquet',
    ]);
  });

  it('renews its writing DuckDB every so many writes, only between writes, losing nothing', async () => {
    const renewing = await Lake.open(root, { writesPerWriter: 3 });
    opened.push(renewing);
    const all = bars(24);
    const other: MarketKey = { ...KEY, symbol: 'ETH/USDT' };
    // One bar a write, two streams written at once: the writer is renewed while writes overlap.
    for (let i = 0; i < all.length; i += 2)
      await Promise.all([renewing.write(KEY, [all[i]!]), renewing.write(other, [all[i + 1]!])]);
    expect(renewing.writersRenewed).toBeGreaterThanOrEqual(3);
    expect(barsFromSeries(await renewing.read(KEY, 0, 4e12))).toEqual(all.filter((_, i) => i % 2 === 0));
    expect(barsFromSeries(await renewing.read(other, 0, 4e12))).toEqual(all.filter((_, i) => i % 2 === 1));
    // A compaction runs on the writer too.
    await renewing.compact(KEY);
    expect(barsFromSeries(await renewing.read(KEY, 0, 4e12))).toHaveLength(12);
  });

  it('serialises concurrent writers to one stream: nothing is lost', async () => {
    const other = await Lake.open(root);
    opened.push(other);
    const all = bars(400);
    await Promise.all([
      lake.write(
        KEY,
        all.filter((_, i) => i % 2 === 0),
      ),
      other.write(
        KEY,
        all.filter((_, i) => i % 2 === 1),
      ),
    ]);
    expect(barsFromSeries(await lake.read(KEY, 0, 4e12))).toEqual(all);
  });

  it('reads the same through compacted month files, and never serves a stale month file', async () => {
    const all = bars(12_000, 3, Date.UTC(2024, 0, 20) + TF.ms);
    await lake.write(KEY, all);
    const plain = barsFromSeries(await lake.read(KEY, 0, 4e12));
    const report = await lake.compact(KEY);
    expect(report.built).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(barsFromSeries(await lake.read(KEY, 0, 4e12))).toEqual(plain);
    expect(barsFromSeries(await lake.read(KEY, all[5000]!.ts, all[5100]!.ts))).toEqual(
      plain.slice(5000, 5101),
    );

    const changed: Bar = { ...all[6000]!, close: all[6000]!.open };
    await lake.write(KEY, [changed]);
    expect(barsFromSeries(await lake.read(KEY, changed.ts, changed.ts))).toEqual([changed]);
    const second = await lake.compact(KEY);
    expect(second.built).toEqual([
      lake
        .days(KEY)
        .find((d) => d === Lake.dayOf(changed.ts, TF))!
        .slice(0, 7),
    ]);
    expect(second.current).toHaveLength(2);
    expect(barsFromSeries(await lake.read(KEY, changed.ts, changed.ts))).toEqual([changed]);
  });

  it('reads month files as raw columns and passes over a damaged or unreadable one', async () => {
    const all = bars(12_000, 5, Date.UTC(2024, 0, 20) + TF.ms);
    await lake.write(KEY, all);
    const dir = cacheDir(lake.layout, KEY);
    // Month files are read from open descriptors: every one is closed, whatever the read came to.
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const openBefore = openFiles();
    expect(lake.cacheCoverage(KEY, 0, 4e12)).toEqual({ months: 3, cached: 0 });
    // A month file of the earlier parquet format is not read and goes at the next compaction.
    await lake.compact(KEY);
    expect(lake.cacheCoverage(KEY, 0, 4e12)).toEqual({ months: 3, cached: 3 });
    expect(lake.cacheCoverage(KEY, all[9_000]!.ts, all[9_010]!.ts)).toEqual({ months: 1, cached: 1 });
    writeFileSync(join(dir, '2023-12.parquet'), 'stale cache of an older build');
    await lake.compact(KEY);
    expect(readdirSync(dir).sort()).toEqual(
      ['2024-01', '2024-02', '2024-03'].flatMap((m) => [`${m}.bars`, `${m}.sources.json`]),
    );
    const february = join(dir, '2024-02.bars');
    const bytes = readFileSync(february);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('MJBARS01');
    const inFebruary = all.filter((b) => new Date(b.ts - TF.ms).getUTCMonth() === 1);
    expect(bytes.readUInt32LE(8)).toBe(inFebruary.length);
    expect(bytes.readDoubleLE(16)).toBe(inFebruary[0]!.ts);
    expect(barsFromSeries(await lake.read(KEY, 0, 4e12))).toEqual(all);

    // Cut short (a torn copy by hand): the day files of that month are read instead.
    writeFileSync(february, bytes.subarray(0, bytes.length - 8));
    expect(barsFromSeries(await lake.read(KEY, 0, 4e12))).toEqual(all);
    expect(barsFromSeries(await lake.read(KEY, all[9_000]!.ts, all[9_010]!.ts))).toEqual(
      all.slice(9_000, 9_011),
    );

    // Not a readable file at all: passed over the same way.
    rmSync(february);
    mkdirSync(february);
    expect(barsFromSeries(await lake.read(KEY, 0, 4e12))).toEqual(all);
    rmSync(february, { recursive: true });

    // Well formed but with two closes swapped: its checksum gives it away; the day files are read.
    const swapped = Buffer.from(bytes);
    swapped.writeDoubleLE(inFebruary[1]!.ts, 16);
    swapped.writeDoubleLE(inFebruary[0]!.ts, 24);
    writeFileSync(february, swapped);
    expect(barsFromSeries(await lake.read(KEY, 0, 4e12))).toEqual(all);
    expect(openFiles()).toBe(openBefore);
  });

  it('never trusts a damaged month cache over the parquet files: detected, reported, the parquet read', async () => {
    const all = bars(12_000, 7, Date.UTC(2024, 0, 20) + TF.ms);
    const warnings: LakeWarning[] = [];
    const watched = await Lake.open(root, { onWarning: (warning) => warnings.push(warning) });
    opened.push(watched);
    await watched.write(KEY, all);
    await watched.compact(KEY);
    const truth = barsFromSeries(await watched.read(KEY, 0, 4e12));
    expect(truth).toEqual(all);
    expect(warnings).toEqual([]);
    const february = join(cacheDir(watched.layout, KEY), '2024-02.bars');
    const bytes = readFileSync(february);
    const sidecar = JSON.parse(readFileSync(february.replace('.bars', '.sources.json'), 'utf8'));
    // It names the parquet files it was built from, with the checksum of its own bytes.
    expect(sidecar.sources[0].file).toBe('2024-02-01.parquet');
    expect(sidecar.crc32).toMatch(/^[0-9a-f]{8}$/);
    const rows = bytes.readUInt32LE(8);
    const damages: [string, (b: Buffer) => void][] = [
      ['400 bytes overwritten', (b) => b.fill(0x5a, 4_000, 4_400)],
      [
        'prices x1.03 on 100 bars, same size',
        (b) => {
          for (let column = 1; column <= 4; column++)
            for (let i = 500; i < 600; i++) {
              const at = 16 + (column * rows + i) * 8;
              b.writeDoubleLE(b.readDoubleLE(at) * 1.03, at);
            }
        },
      ],
    ];
    for (const [, damage] of damages) {
      const damaged = Buffer.from(bytes);
      damage(damaged);
      writeFileSync(february, damaged);
      warnings.length = 0;
      // The whole window, and a window of a few bars inside the damaged month.
      expect(barsFromSeries(await watched.read(KEY, 0, 4e12))).toEqual(truth);
      const inside = truth.findIndex((b) => new Date(b.ts - TF.ms).getUTCMonth() === 1) + 520;
      expect(barsFromSeries(await watched.read(KEY, truth[inside]!.ts, truth[inside + 3]!.ts))).toEqual(
        truth.slice(inside, inside + 4),
      );
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatchObject({ code: 'cache_corrupt', path: february });
      expect(warnings[0]!.message).toMatch(/its checksum is [0-9a-f]{8}, recorded [0-9a-f]{8}/);
    }
    // The next compaction sees the damage and rebuilds that month (the others stay).
    const rebuilt = await watched.compact(KEY);
    expect(rebuilt.built).toEqual(['2024-02']);
    warnings.length = 0;
    expect(barsFromSeries(await watched.read(KEY, 0, 4e12))).toEqual(truth);
    expect(warnings).toEqual([]);
  });

  it('reports gaps without inventing bars', async () => {
    const all = bars(300);
    const kept = all.filter((_, i) => !(i >= 50 && i < 53) && i !== 200);
    kept[10] = { ...kept[10]!, volume: Number.NaN };
    await lake.write(KEY, kept);
    const report = gapReport(await lake.read(KEY, all[0]!.ts, all[299]!.ts), TF, all[0]!.ts, all[299]!.ts);
    expect(report).toMatchObject({ expected: 300, present: 296, missing: 4, invalid: 1 });
    expect(report.gaps).toEqual([
      { from: all[50]!.ts, to: all[52]!.ts, bars: 3 },
      { from: all[200]!.ts, to: all[200]!.ts, bars: 1 },
    ]);
  });

  it('resamples 5m to 1h in DuckDB, matching a plain computation, and drops incomplete hours', async () => {
    const all = bars(24 * 12);
    await lake.write(
      KEY,
      all.filter((_, i) => i !== 30),
    );
    const hourly = await resample(lake, KEY, '1h', all[0]!.ts, all.at(-1)!.ts);
    expect(hourly.perBar).toBe(12);
    expect(hourly.series.length).toBe(23);
    const hour = all.slice(36, 48);
    expect(barsFromSeries(hourly.series)[2]).toEqual({
      ts: hour.at(-1)!.ts,
      open: hour[0]!.open,
      high: Math.max(...hour.map((b) => b.high)),
      low: Math.min(...hour.map((b) => b.low)),
      close: hour.at(-1)!.close,
      volume: expect.closeTo(
        hour.reduce((s, b) => s + b.volume, 0),
        9,
      ),
    });
    const withPartial = await resample(lake, KEY, '1h', all[0]!.ts, all.at(-1)!.ts, { completeOnly: false });
    expect(withPartial.series.length).toBe(24);
    expect(withPartial.counts[2]).toBe(11);
    await expect(resample(lake, KEY, '7m' as never, 0, 1)).rejects.toThrow();
  });

  it('reports an unwritable location as a typed storage error naming the path', async () => {
    writeFileSync(join(root, 'raw'), 'a file where the raw directory must go');
    const failure = await lake.write(KEY, bars(5)).catch((error: unknown) => error);
    expect(hasErrorCode(failure, 'storage_failed')).toBe(true);
    expect((failure as Error).message).toContain(join(root, 'raw'));
  });
});
