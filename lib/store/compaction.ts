import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { isSystemError } from '../core/index.js';
import type { DataLayout } from '../journal/index.js';
import type { MarketKey } from '../market/index.js';
import { commitFile, temporaryPath, writeFileAtomic } from './atomic.js';
import type { Duck } from './duck.js';
import { encodeMonth, MONTH_FILES_SUPPORTED, monthChecksum } from './month-file.js';
import { readParquetSeries } from './parquet-read.js';

/**
 * The read cache: month files compacted from day partitions, under
 * `cache/raw/<exchange>/<SYMBOL>/<tf>/<YYYY-MM>.bars` (see month-file.ts). Reading thousands of small
 * day files costs more in per-file overhead and decoding than in data; a month file replaces ~30 of
 * them and is read without a query engine. The day partitions stay the ground truth: beside each month
 * file a sidecar (`<YYYY-MM>.sources.json`) names the parquet files it was built from, with the size
 * and modification time each had then, and the month file's CRC-32. A month file is used only while
 * the set of day files and their sizes and times are the same (partitions are replaced by rename, so
 * any rewrite changes them) and its bytes still have that checksum (a damaged cache file, even of the
 * same size, is passed over for the parquet files, and rebuilt by the next compaction).
 */

const sourceSchema = z.object({ file: z.string(), day: z.string(), size: z.number(), mtimeMs: z.number() });
const sidecarSchema = z.object({
  format: z.literal('mjolnir.month-cache'),
  version: z.literal(2),
  rows: z.number(),
  crc32: z.string().regex(/^[0-9a-f]{8}$/),
  sources: z.array(sourceSchema),
});
type Sources = z.infer<typeof sourceSchema>[];
type Sidecar = z.infer<typeof sidecarSchema>;
const MONTH_FILE = /^(\d{4}-\d{2})\.(bars|parquet|sources\.json)$/;

/** Where the compacted files of a stream live. */
export function cacheDir(layout: DataLayout, key: MarketKey): string {
  return layout.rawDir(key).replace(join(layout.root, 'raw'), join(layout.root, 'cache', 'raw'));
}

function describe(layout: DataLayout, key: MarketKey, days: readonly string[]): Sources {
  return days.map((day) => {
    const file = layout.partition(key, day);
    const stat = statSync(file);
    return { file: basename(file), day, size: stat.size, mtimeMs: stat.mtimeMs };
  });
}

/** The sidecar of a month file, or null when absent, unreadable or of an earlier format (rebuilt). */
function recorded(sidecar: string): Sidecar | null {
  if (!existsSync(sidecar)) return null;
  try {
    const parsed = sidecarSchema.safeParse(JSON.parse(readFileSync(sidecar, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    // Not JSON (torn by a crash), or unreadable: the month file is rebuilt from its day files.
    if (error instanceof SyntaxError || isSystemError(error, 'ENOENT', 'EACCES', 'EISDIR')) return null;
    throw error;
  }
}

function same(a: Sources, b: Sources): boolean {
  return (
    a.length === b.length &&
    a.every(
      (x, i) =>
        x.file === b[i]!.file && x.day === b[i]!.day && x.size === b[i]!.size && x.mtimeMs === b[i]!.mtimeMs,
    )
  );
}

function byMonth(days: readonly string[]): Map<string, string[]> {
  const months = new Map<string, string[]>();
  for (const day of days) {
    const month = day.slice(0, 7);
    const list = months.get(month);
    if (list) list.push(day);
    else months.set(month, [day]);
  }
  return months;
}

/** Whether the month file at `path` exists with the bytes recorded (read whole: compaction only). */
function intact(path: string, checksum: string): boolean {
  try {
    return monthChecksum(readFileSync(path)) === checksum;
  } catch (error) {
    // Missing or unreadable: not intact, rebuilt.
    if (isSystemError(error, 'ENOENT', 'EACCES', 'EISDIR')) return false;
    throw error;
  }
}

/** One month of a read, in chronological order: its current month file if any, and its day files. */
export interface MonthToRead {
  /** The month file and the checksum it must have, when current (else its day files are read). */
  readonly cached: { readonly file: string; readonly checksum: string } | null;
  readonly days: readonly string[];
}

/**
 * How to read `days` (sorted): month by month, a month's file where it is current, the day
 * partitions otherwise. Each day is covered exactly once.
 */
export function readPlan(
  layout: DataLayout,
  key: MarketKey,
  days: readonly string[],
  allDays: readonly string[],
): MonthToRead[] {
  const dir = cacheDir(layout, key);
  const monthsOfStream = byMonth(allDays);
  return [...byMonth(days)].map(([month, wanted]) => {
    const file = join(dir, `${month}.bars`);
    const sidecar = recorded(join(dir, `${month}.sources.json`));
    const current =
      MONTH_FILES_SUPPORTED &&
      sidecar !== null &&
      existsSync(file) &&
      same(sidecar.sources, describe(layout, key, monthsOfStream.get(month)!));
    // A month file holds the whole month: use it when current, even for a partial window (the
    // reader takes the window's rows).
    return {
      cached: current ? { file, checksum: sidecar.crc32 } : null,
      days: wanted.map((day) => layout.partition(key, day)),
    };
  });
}

/** What a compaction did. */
export interface CompactionReport {
  readonly built: readonly string[];
  readonly current: readonly string[];
  readonly removed: readonly string[];
}

/**
 * Builds (or rebuilds) the month files that are missing or stale; removes those whose days are gone
 * (and month files of an older format).
 */
export async function compact(
  duck: Duck,
  layout: DataLayout,
  key: MarketKey,
  allDays: readonly string[],
): Promise<CompactionReport> {
  const dir = cacheDir(layout, key);
  mkdirSync(dir, { recursive: true });
  const built: string[] = [];
  const current: string[] = [];
  const months = byMonth(allDays);
  for (const [month, days] of MONTH_FILES_SUPPORTED ? months : []) {
    const file = join(dir, `${month}.bars`);
    const sidecar = join(dir, `${month}.sources.json`);
    // Stat first: a partition replaced while we read then no longer matches, and the month file is
    // ignored until the next compaction rather than served stale.
    const sources = describe(layout, key, days);
    const previous = recorded(sidecar);
    if (previous !== null && same(previous.sources, sources) && intact(file, previous.crc32)) {
      current.push(month);
      continue;
    }
    const files = days.map((day) => layout.partition(key, day));
    const series = await readParquetSeries(duck, files, 0, Number.MAX_SAFE_INTEGER, layout.rawDir(key));
    const bytes = encodeMonth(series);
    const temporary = temporaryPath(file);
    writeFileSync(temporary, bytes);
    // Sidecar last: a month file without a matching sidecar is never used.
    rmSync(sidecar, { force: true });
    commitFile(temporary, file);
    const record: Sidecar = {
      format: 'mjolnir.month-cache',
      version: 2,
      rows: series.length,
      crc32: monthChecksum(bytes),
      sources,
    };
    writeFileAtomic(sidecar, `${JSON.stringify(record)}\n`);
    built.push(month);
  }
  const removed: string[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const [, month, kind] = MONTH_FILE.exec(name) ?? [];
    if (month === undefined) continue;
    // Parquet month files were the cache's earlier format: never read now.
    if (kind === 'parquet' || !months.has(month) || !MONTH_FILES_SUPPORTED) {
      rmSync(join(dir, name), { force: true });
      if (kind === 'bars') removed.push(month);
    }
  }
  return { built, current, removed };
}
