import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MjolnirError, storageFailed } from '../core/index.js';
import { DataLayout } from '../journal/index.js';
import type { Bar, MarketKey } from '../market/index.js';
import { allocateSeries, type BarSeries } from '../market/index.js';
import { DAY_MS, type Timeframe, timeframe, utcDay } from '../time/index.js';
import { commitFile, removeQuietly, temporaryPath } from './atomic.js';
import { type CompactionReport, compact, type MonthToRead, readPlan } from './compaction.js';
import { Duck, sqlString } from './duck.js';
import { type LockOptions, withFileLock } from './lock.js';
import { closeMonth, joinParts, type MonthSlice, openMonth } from './month-file.js';
import { readParquetSeries } from './parquet-read.js';

/** What a write did, partition by partition. */
export interface WriteReport {
  /** Day partitions rewritten because they gained or changed bars. */
  readonly written: readonly string[];
  /** Day partitions the bars were already in, identically: not rewritten. */
  readonly unchanged: readonly string[];
  readonly rows: number;
}

/** Something the lake recovered from by itself that an operator should still hear about. */
export interface LakeWarning {
  readonly code: 'lock_taken_over' | 'cache_corrupt';
  readonly path: string;
  readonly message: string;
}

/** How a lake is opened. */
export interface LakeOptions {
  /** Told what the lake recovered from (a stale lock taken over, a damaged cache file passed over). */
  readonly onWarning?: (warning: LakeWarning) => void;
  /** Writes before the writing DuckDB is renewed (default WRITES_PER_WRITER). */
  readonly writesPerWriter?: number;
}

/** The last instant with a four-digit year: day names compare as strings only up to there. */
const MAX_DATE_MS = Date.UTC(9999, 11, 31);
const PARTITION_FILE = /^(\d{4}-\d{2}-\d{2})\.parquet$/;
const COLUMNS = 'ts_ms, open, high, low, close, volume';
let incomingTables = 0;

/**
 * Writes after which the writing DuckDB is closed and a fresh one opened (between writes, none in
 * flight). DuckDB keeps each unpinned buffer of a statement's hash tables and windows in an eviction
 * queue, and purges the dead entries only once a queue holds tens of thousands of them (to keep its
 * LRU order); a dead entry keeps its block handle's memory. Writing a bar at a time, the paper loop's
 * native memory so grew ~16 MB over its first 20k bars (heaptrack at 20.9k bars: 15.9 MB live in
 * duckdb::BlockHandle, 4.2 MB in the eviction queues). A fresh instance every 1,000 writes bounds it
 * to what 1,000 writes leave; opening one costs a few milliseconds.
 */
export const WRITES_PER_WRITER = 1_000;

/**
 * The raw-bar lake: parquet files per UTC day under `raw/<exchange>/<SYMBOL>/<tf>/` (docs/contracts.md),
 * the ground truth for replay. A bar belongs to the day in which it opens, so a day file holds the
 * bars trading that day (for 5m: closes 00:05 .. 24:00). Writes merge with what is there, duplicates
 * resolved last-write-wins, each partition replaced atomically; a partition that would not change is
 * not rewritten. Timestamps are UTC epoch milliseconds (`ts_ms`, the bar close).
 */
export class Lake {
  readonly layout: DataLayout;

  private readonly lockOptions: LockOptions;
  /** Writes running on the writer now, and writes since it was opened (see WRITES_PER_WRITER). */
  private writesRunning = 0;
  private writesOnWriter = 0;
  private renewed = 0;

  private constructor(
    root: string,
    private readonly duck: Duck,
    /** Single-threaded, so every file written keeps its ORDER BY (parallel writers interleave rows). */
    private writer: Promise<Duck>,
    private readonly options: LakeOptions,
  ) {
    this.layout = new DataLayout(root);
    this.lockOptions = {
      onTakeover: ({ path, previous, why }) =>
        this.warn({
          code: 'lock_taken_over',
          path,
          message: `took over a stale lock (${why}; it held "${previous}")`,
        }),
    };
  }

  /** Opens the lake under a data root (`DATA_ROOT`, default `./data`). */
  static async open(root: string, options: LakeOptions = {}): Promise<Lake> {
    const writer = await Duck.open({ threads: 1 });
    return new Lake(root, await Duck.open(), Promise.resolve(writer), options);
  }

  /**
   * Runs `use` on the writer. Renewal happens only here, before the count of running writes goes up
   * and while it is 0: no write can hold the writer being closed.
   */
  private async withWriter<T>(use: (writer: Duck) => Promise<T>): Promise<T> {
    const limit = this.options.writesPerWriter ?? WRITES_PER_WRITER;
    if (this.writesRunning === 0 && this.writesOnWriter >= limit) {
      const old = this.writer;
      this.writer = Duck.open({ threads: 1 });
      this.writesOnWriter = 0;
      this.renewed++;
      void old.then(
        (duck) => duck.close(),
        () => {},
      );
    }
    this.writesRunning++;
    this.writesOnWriter++;
    try {
      const writer = await this.writer.catch((error: unknown) => {
        // The next write opens another.
        this.writesOnWriter = limit;
        throw error;
      });
      return await use(writer);
    } finally {
      this.writesRunning--;
    }
  }

  /** How many times the writing DuckDB was renewed (see WRITES_PER_WRITER). */
  get writersRenewed(): number {
    return this.renewed;
  }

  private warn(warning: LakeWarning): void {
    this.options.onWarning?.(warning);
  }

  close(): void {
    this.duck.close();
    void this.writer.then(
      (duck) => duck.close(),
      () => {},
    );
  }

  /** The day a bar is filed under: the UTC day of its open. */
  static dayOf(closeTs: number, tf: Timeframe): string {
    return utcDay(closeTs - tf.ms);
  }

  /** Day partitions present for a stream, oldest first. */
  days(key: MarketKey): string[] {
    const dir = this.layout.rawDir(key);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((name) => PARTITION_FILE.exec(name)?.[1])
      .filter((day): day is string => day !== undefined)
      .sort();
  }

  /** Merges bars into the stream's partitions. Bars must be aligned to the timeframe. */
  async write(key: MarketKey, bars: readonly Bar[]): Promise<WriteReport> {
    const tf = timeframe(key.timeframe);
    const byDay = new Map<string, Bar[]>();
    for (const bar of bars) {
      if (!Number.isSafeInteger(bar.ts) || bar.ts % tf.ms !== 0) {
        throw new MjolnirError(
          'data_invalid',
          `bar close ${bar.ts} is not aligned to ${tf.label}; refusing to store it`,
        );
      }
      const day = Lake.dayOf(bar.ts, tf);
      const list = byDay.get(day);
      if (list) list.push(bar);
      else byDay.set(day, [bar]);
    }
    if (byDay.size === 0) return { written: [], unchanged: [], rows: 0 };
    const dir = this.layout.rawDir(key);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw storageFailed('create', dir, error);
    }
    return withFileLock(
      join(dir, '.lock'),
      () =>
        this.withWriter(async (writer) => {
          const table = await stage(writer, bars);
          try {
            // One single-file COPY per day: DuckDB's partitioned writer does not keep rows in order
            // within a partition, and every partition must be sorted by ts_ms.
            const written: string[] = [];
            const unchanged: string[] = [];
            for (const day of [...byDay.keys()].sort()) {
              const changed = await this.mergeDay(writer, key, tf, table, day);
              (changed ? written : unchanged).push(day);
            }
            return { written, unchanged, rows: bars.length };
          } finally {
            await writer.run(`DROP TABLE IF EXISTS ${table}`);
          }
        }),
      this.lockOptions,
    );
  }

  /** Rewrites one day partition with the staged bars merged in; false when nothing would change. */
  private async mergeDay(
    writer: Duck,
    key: MarketKey,
    tf: Timeframe,
    table: string,
    day: string,
  ): Promise<boolean> {
    const target = this.layout.partition(key, day);
    const dayStart = Date.parse(`${day}T00:00:00Z`) + tf.ms;
    const range = `ts_ms BETWEEN ${dayStart} AND ${dayStart + DAY_MS - tf.ms}`;
    const exists = existsSync(target);
    const existing = exists ? `read_parquet(${sqlString(target)})` : null;
    if (existing) {
      // Unchanged when every staged bar of the day is already there with identical values.
      const differing = await writer.scalar(
        `SELECT count(*) FROM ${table} i WHERE i.${range} AND NOT EXISTS (
           SELECT 1 FROM ${existing} e WHERE e.ts_ms = i.ts_ms AND e.open IS NOT DISTINCT FROM i.open
             AND e.high IS NOT DISTINCT FROM i.high AND e.low IS NOT DISTINCT FROM i.low
             AND e.close IS NOT DISTINCT FROM i.close AND e.volume IS NOT DISTINCT FROM i.volume)`,
      );
      if (differing === 0) return false;
    }
    const sources = [`SELECT ${COLUMNS}, seq, 1 AS src FROM ${table} WHERE ${range}`];
    if (existing) sources.push(`SELECT ${COLUMNS}, 0 AS seq, 0 AS src FROM ${existing}`);
    const temporary = temporaryPath(target);
    try {
      await writer.run(
        `COPY (
           SELECT ${COLUMNS} FROM (${sources.join(' UNION ALL ')})
           QUALIFY row_number() OVER (PARTITION BY ts_ms ORDER BY src DESC, seq DESC) = 1
           ORDER BY ts_ms
         ) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } catch (error) {
      // A full disk leaves a partial file behind: never keep it.
      removeQuietly(temporary);
      throw new MjolnirError('storage_failed', `cannot write ${target}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    commitFile(temporary, target);
    return true;
  }

  /** The day partitions that can hold bars closing within [startTs, endTs]. */
  private daysFor(key: MarketKey, startTs: number, endTs: number): { wanted: string[]; all: string[] } {
    const tf = timeframe(key.timeframe);
    // Any window is accepted ("everything": 0 .. Number.MAX_SAFE_INTEGER); days exist only within dates.
    const first = Lake.dayOf(Math.max(startTs, tf.ms), tf);
    const last = Lake.dayOf(Math.min(endTs, MAX_DATE_MS), tf);
    const all = this.days(key);
    return { wanted: all.filter((day) => day >= first && day <= last), all };
  }

  /** How to read [startTs, endTs] month by month: current month files, else day partitions. */
  private planFor(key: MarketKey, startTs: number, endTs: number): MonthToRead[] {
    const { wanted, all } = this.daysFor(key, startTs, endTs);
    return readPlan(this.layout, key, wanted, all);
  }

  /**
   * Builds the month files of a stream's read cache (see compaction.ts): reads of long windows then
   * open ~30x fewer files. Safe to run any time; stale month files are rebuilt, never served.
   */
  async compact(key: MarketKey): Promise<CompactionReport> {
    return withFileLock(
      join(this.layout.rawDir(key), '.lock'),
      () => this.withWriter((writer) => compact(writer, this.layout, key, this.days(key))),
      this.lockOptions,
    );
  }

  /** How many months [startTs, endTs] touches, and how many of them have a current month file. */
  cacheCoverage(key: MarketKey, startTs: number, endTs: number): { months: number; cached: number } {
    const plan = this.planFor(key, startTs, endTs);
    return { months: plan.length, cached: plan.filter((month) => month.cached !== null).length };
  }

  /**
   * Bars closing within [startTs, endTs] (inclusive), oldest first, as typed arrays: current month
   * files copied as they are, the other months' day partitions through DuckDB (one query for each run
   * of such months).
   */
  async read(key: MarketKey, startTs: number, endTs: number): Promise<BarSeries> {
    const plan = this.planFor(key, startTs, endTs);
    if (plan.length === 0 || endTs < startTs) return allocateSeries(0);
    const where = this.layout.rawDir(key);
    const parts: (BarSeries | MonthSlice)[] = [];
    let pending: string[] = [];
    const readPending = async () => {
      if (pending.length > 0) parts.push(await readParquetSeries(this.duck, pending, startTs, endTs, where));
      pending = [];
    };
    try {
      for (const month of plan) {
        // A month file that cannot be read as the one recorded (damaged, changed, gone since it was
        // found current) is passed over for its day files, and reported.
        const slice = month.cached === null ? null : this.openCached(month.cached, startTs, endTs);
        if (slice === null) pending.push(...month.days);
        else {
          await readPending();
          parts.push(slice);
        }
      }
      await readPending();
      return joinParts(parts, where);
    } finally {
      for (const part of parts) if ('fd' in part) closeMonth(part);
    }
  }

  /** A current month file's window, or null (reported) when its bytes are not the ones recorded. */
  private openCached(
    cached: { readonly file: string; readonly checksum: string },
    startTs: number,
    endTs: number,
  ): MonthSlice | null {
    const opened = openMonth(cached.file, startTs, endTs, cached.checksum);
    if (!('problem' in opened)) return opened;
    this.warn({
      code: 'cache_corrupt',
      path: cached.file,
      message: `month read cache file not used: ${opened.problem}; its parquet day files were read instead (the next \`lake compact\` rebuilds it)`,
    });
    return null;
  }

  /** The first and last bar close stored for a stream, or null when it has none. */
  async bounds(key: MarketKey): Promise<{ first: number; last: number } | null> {
    const days = this.days(key);
    if (days.length === 0) return null;
    const first = await this.duck.scalar(
      `SELECT min(ts_ms) FROM read_parquet(${sqlString(this.layout.partition(key, days[0]!))})`,
    );
    const last = await this.duck.scalar(
      `SELECT max(ts_ms) FROM read_parquet(${sqlString(this.layout.partition(key, days.at(-1)!))})`,
    );
    return first === null || last === null ? null : { first, last };
  }

  /** The query engine, for other store modules (resampling). */
  get engine(): Duck {
    return this.duck;
  }

  /** A SQL source over the files that can hold [startTs, endTs], or null when there are none. */
  sourceFor(key: MarketKey, startTs: number, endTs: number): string | null {
    const files = this.daysFor(key, startTs, endTs).wanted.map((day) => this.layout.partition(key, day));
    return files.length === 0 ? null : `read_parquet([${files.map(sqlString).join(', ')}])`;
  }
}

/** Loads bars into a temporary table, with their order as the last-write-wins tiebreak. */
async function stage(writer: Duck, bars: readonly Bar[]): Promise<string> {
  const table = `incoming_${process.pid}_${++incomingTables}`;
  await writer.run(
    `CREATE TEMP TABLE ${table} (ts_ms BIGINT, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, seq BIGINT)`,
  );
  await writer.append(table, (appender) => {
    bars.forEach((bar, seq) => {
      appender.appendBigInt(BigInt(bar.ts));
      appender.appendDouble(bar.open);
      appender.appendDouble(bar.high);
      appender.appendDouble(bar.low);
      appender.appendDouble(bar.close);
      appender.appendDouble(bar.volume);
      appender.appendBigInt(BigInt(seq));
      appender.endRow();
    });
  });
  return table;
}
