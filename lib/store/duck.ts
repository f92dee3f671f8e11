import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBMaterializedResult,
  type DuckDBValue,
} from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { MjolnirError } from '../core/index.js';
import { NativeResults } from './native-memory.js';

/** The C-API result handle inside a node-api result (set by its constructor; see readDoubles). */
interface WithRawResult {
  readonly result?: bindings.Result;
}

/**
 * One in-memory DuckDB per caller, used as a query engine over parquet files (the lake's files are
 * the database). Queries that return doubles stream chunk by chunk straight into Float64Arrays.
 *
 * A DuckDB connection runs one statement at a time: two statements started on it together (two
 * streams written at once through one writer) fail with "Attempting to execute an unsuccessful or
 * closed pending query result", or worse (duckdb-node-neo#142). Every statement here waits for the
 * one before it; an appender is created, filled and closed as one statement.
 */
export class Duck {
  private readonly results = new NativeResults();
  private last: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /**
   * An in-memory instance; `threads: 1` makes every statement keep its ORDER BY in what it writes.
   * DuckDB's external file cache is off: it keeps the blocks of every parquet file read, and the lake
   * rewrites its current day partition at every poll, so in the paper loop the cache filled with
   * versions of files that no longer exist (the page cache already caches the current ones).
   */
  static async open(options: { threads?: number } = {}): Promise<Duck> {
    const config: Record<string, string> = { enable_external_file_cache: 'false' };
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    return new Duck(instance, connection);
  }

  /** Runs `statement` once every statement started before it on this connection has ended. */
  private serial<T>(statement: () => Promise<T>): Promise<T> {
    const result = this.last.then(statement);
    this.last = result.catch(() => undefined);
    return result;
  }

  /** An appender into `table`, closed (and its memory accounted for) once `fill` is done with it. */
  append(table: string, fill: (appender: DuckDBAppender) => void): Promise<void> {
    return this.serial(async () => {
      const appender = await this.connection.createAppender(table);
      try {
        fill(appender);
      } finally {
        appender.closeSync();
        this.results.released();
      }
    });
  }

  run(sql: string, values?: DuckDBValue[]): Promise<void> {
    return this.serial(async () => {
      try {
        await this.connection.run(sql, values);
      } catch (error) {
        throw duckFailed(error);
      } finally {
        this.results.released();
      }
    });
  }

  /** The first column of the first row as a number (counts, bounds). */
  async scalar(sql: string, values?: DuckDBValue[]): Promise<number | null> {
    const value = (await this.rows(sql, values))[0]?.[0];
    return value === null || value === undefined ? null : Number(value);
  }

  /** Rows of plain values (small results only). */
  rows(sql: string, values?: DuckDBValue[]): Promise<unknown[][]> {
    return this.serial(async () => {
      try {
        const reader = await this.connection.runAndReadAll(sql, values);
        return reader.getRows().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
      } catch (error) {
        throw duckFailed(error);
      } finally {
        this.results.released();
      }
    });
  }

  /**
   * Runs a query whose columns are all DOUBLE and NOT NULL and copies the result into Float64Arrays,
   * vector by vector: no row objects, no per-value calls. The materialised result's chunks are read
   * through the C-API bindings, which hand out each vector's memory directly (node-api's wrapper
   * objects cost more than the data here). Also returns where each chunk starts, for `orderChunks`.
   */
  async readDoubles(
    sql: string,
    values: DuckDBValue[],
    columns: number,
  ): Promise<{ columns: Float64Array[]; chunkStarts: number[]; rows: number }> {
    const materialized = await this.serial(async (): Promise<DuckDBMaterializedResult> => {
      try {
        return await this.connection.run(sql, values);
      } catch (error) {
        throw duckFailed(error);
      }
    });
    const rows = materialized.rowCount;
    const out = Array.from({ length: columns }, () => new Float64Array(rows));
    const outBytes = out.map((column) => new Uint8Array(column.buffer));
    const chunkStarts: number[] = [];
    const raw = (materialized as unknown as WithRawResult).result;
    const chunkCount = materialized.chunkCount;
    let offset = 0;
    for (let index = 0; index < chunkCount; index++) {
      const chunk = raw ? bindings.result_get_chunk(raw, index) : null;
      const n = chunk ? bindings.data_chunk_get_size(chunk) : materialized.getChunk(index).rowCount;
      if (n === 0) continue;
      chunkStarts.push(offset);
      if (chunk) {
        for (let c = 0; c < columns; c++) {
          outBytes[c]!.set(
            bindings.vector_get_data(bindings.data_chunk_get_vector(chunk, c), n * 8),
            offset * 8,
          );
        }
      } else {
        // Fallback through node-api's public surface, should its internals ever change.
        const chunk = materialized.getChunk(index);
        for (let c = 0; c < columns; c++) {
          const vector = chunk.getColumnVector(c);
          for (let i = 0; i < n; i++)
            out[c]![offset + i] = (vector.getItem(i) as number | null) ?? Number.NaN;
        }
      }
      offset += n;
    }
    this.results.released();
    if (offset !== rows)
      throw new MjolnirError('invariant_violated', `DuckDB returned ${offset} of ${rows} rows`);
    return { columns: out, chunkStarts, rows };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A failed statement, as the store reports it. */
function duckFailed(error: unknown): MjolnirError {
  return new MjolnirError('storage_failed', `DuckDB: ${(error as Error).message}`, { cause: error });
}

/** A string as a SQL literal (paths in COPY / read_parquet cannot be bound as parameters). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Puts the rows of a parallel scan back in order of column 0 when each chunk is internally sorted
 * but chunks arrive shuffled (files and row groups are scanned by several threads). Moves whole
 * chunks; returns false if the chunks overlap, in which case the caller must sort in the query.
 */
export function orderChunks(columns: Float64Array[], chunkStarts: readonly number[]): boolean {
  const key = columns[0]!;
  const total = key.length;
  const segments = chunkStarts.map((start, i) => ({ start, end: chunkStarts[i + 1] ?? total }));
  const sorted = [...segments].sort((a, b) => key[a.start]! - key[b.start]!);
  const inPlace = sorted.every((segment, i) => segment === segments[i]);
  if (!inPlace) {
    for (let c = 0; c < columns.length; c++) {
      const source = columns[c]!;
      const target = new Float64Array(total);
      let offset = 0;
      for (const { start, end } of sorted) {
        target.set(source.subarray(start, end), offset);
        offset += end - start;
      }
      columns[c] = target;
    }
  }
  const ordered = columns[0]!;
  for (let i = 1; i < total; i++) if (!(ordered[i]! > ordered[i - 1]!)) return false;
  return true;
}
