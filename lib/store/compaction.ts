import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { commitFile, temporaryPath, writeFileAtomic } from './atomic.js';
import { type Duck, sqlString } from './duck.js';
import type { DataLayout, MarketKey } from './layout.js';

/**
 * Month files compacted from day partitions: a derived, rebuildable read cache under
 * `cache/raw/<exchange>/<SYMBOL>/<tf>/<YYYY-MM>.parquet`. Reading thousands of small day files costs
 * more in per-file overhead than in data; a month file replaces ~30 of them. The day partitions stay
 * the ground truth: a month file is used only while every source day file still has the size and
 * modification time recorded when it was built (partitions are replaced by rename, so any rewrite
 * changes them), and the set of day files is the same.
 */

const sourcesSchema = z.array(z.object({ day: z.string(), size: z.number(), mtimeMs: z.number() }));
type Sources = z.infer<typeof sourcesSchema>;

/** Where the compacted files of a stream live. */
export function cacheDir(layout: DataLayout, key: MarketKey): string {
  return layout.rawDir(key).replace(join(layout.root, 'raw'), join(layout.root, 'cache', 'raw'));
}

function describe(layout: DataLayout, key: MarketKey, days: readonly string[]): Sources {
  return days.map((day) => {
    const stat = statSync(layout.partition(key, day));
    return { day, size: stat.size, mtimeMs: stat.mtimeMs };
  });
}

function recorded(sidecar: string): Sources | null {
  if (!existsSync(sidecar)) return null;
  const parsed = sourcesSchema.safeParse(JSON.parse(readFileSync(sidecar, 'utf8')));
  return parsed.success ? parsed.data : null;
}

function same(a: Sources, b: Sources): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => x.day === b[i]!.day && x.size === b[i]!.size && x.mtimeMs === b[i]!.mtimeMs)
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

/**
 * The files to read for `days` (sorted): a month's compacted file where it is current, the day
 * partitions otherwise. The result is in chronological order and covers each day exactly once.
 */
export function readableFiles(
  layout: DataLayout,
  key: MarketKey,
  days: readonly string[],
  allDays: readonly string[],
): string[] {
  const dir = cacheDir(layout, key);
  const files: string[] = [];
  const monthsOfStream = byMonth(allDays);
  for (const [month, wanted] of byMonth(days)) {
    const compacted = join(dir, `${month}.parquet`);
    const sources = recorded(join(dir, `${month}.sources.json`));
    const current =
      sources !== null &&
      existsSync(compacted) &&
      same(sources, describe(layout, key, monthsOfStream.get(month)!));
    // A month file holds the whole month: use it when current, even for a partial window (the
    // reader filters by ts_ms anyway).
    if (current) files.push(compacted);
    else for (const day of wanted) files.push(layout.partition(key, day));
  }
  return files;
}

/** What a compaction did. */
export interface CompactionReport {
  readonly built: readonly string[];
  readonly current: readonly string[];
  readonly removed: readonly string[];
}

/** Builds (or rebuilds) the month files that are missing or stale; removes those whose days are gone. */
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
  for (const [month, days] of months) {
    const compacted = join(dir, `${month}.parquet`);
    const sidecar = join(dir, `${month}.sources.json`);
    // Stat first: a partition replaced while we copy then no longer matches, and the month file is
    // ignored until the next compaction rather than served stale.
    const sources = describe(layout, key, days);
    const previous = recorded(sidecar);
    if (previous !== null && existsSync(compacted) && same(previous, sources)) {
      current.push(month);
      continue;
    }
    const temporary = temporaryPath(compacted);
    const files = days.map((day) => sqlString(layout.partition(key, day))).join(', ');
    await duck.run(
      `COPY (SELECT ts_ms, open, high, low, close, volume FROM read_parquet([${files}]) ORDER BY ts_ms)
       TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    // Sidecar last: a month file without a matching sidecar is never used.
    rmSync(sidecar, { force: true });
    commitFile(temporary, compacted);
    writeFileAtomic(sidecar, `${JSON.stringify(sources)}\n`);
    built.push(month);
  }
  const removed: string[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const month = /^(\d{4}-\d{2})\.(parquet|sources\.json)$/.exec(name)?.[1];
    if (month !== undefined && !months.has(month)) {
      rmSync(join(dir, name), { force: true });
      if (name.endsWith('.parquet')) removed.push(month);
    }
  }
  return { built, current, removed };
}
