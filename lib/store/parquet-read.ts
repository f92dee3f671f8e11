import { MjolnirError } from '../core/index.js';
import type { BarSeries } from '../market/index.js';
import { type Duck, orderChunks, sqlString } from './duck.js';

/**
 * Bars closing within [startTs, endTs] from parquet files, oldest first, as typed arrays: DuckDB's
 * vectors copied straight into Float64Arrays (no row objects). `where` names the stream in errors.
 */
export async function readParquetSeries(
  duck: Duck,
  files: readonly string[],
  startTs: number,
  endTs: number,
  where: string,
): Promise<BarSeries> {
  const source = `read_parquet([${files.map(sqlString).join(', ')}])`;
  const range = `ts_ms BETWEEN ${Math.ceil(startTs)} AND ${Math.floor(endTs)}`;
  const nan = "'NaN'::DOUBLE";
  const select = `SELECT CAST(ts_ms AS DOUBLE), COALESCE(open, ${nan}), COALESCE(high, ${nan}), COALESCE(low, ${nan}),
            COALESCE(close, ${nan}), COALESCE(volume, ${nan}) FROM ${source} WHERE ${range}`;
  // Parallel scans return chunks out of order; putting sorted chunks back in order is far cheaper
  // than sorting in the query, which is kept for the case of overlapping chunks.
  let { columns, chunkStarts, rows } = await duck.readDoubles(select, [], 6);
  if (!orderChunks(columns, chunkStarts)) {
    ({ columns, chunkStarts, rows } = await duck.readDoubles(`${select} ORDER BY ts_ms`, [], 6));
    if (!orderChunks(columns, chunkStarts)) {
      throw new MjolnirError('data_invalid', `lake ${where} holds the same ts_ms twice`);
    }
  }
  const [ts, open, high, low, close, volume] = columns;
  return { length: rows, ts: ts!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
}
