import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seriesHash } from '../backtest/index.js';
import { invariant, LITTLE_ENDIAN, MjolnirError, manifestText } from '../core/index.js';
import { allocateSeries, type BarSeries, seriesColumns, sliceSeries } from '../market/index.js';
import { isoUtc } from '../time/index.js';

/** The format a snapshot's month files are written in: six float64 columns, little endian. */
export const SNAPSHOT_FORMAT = 'mjolnir-bars/1';
const COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** The stream a snapshot's bars are of, as its manifest says it. */
export interface SnapshotStream {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
}

interface MonthEntry {
  readonly file: string;
  readonly bars: number;
  readonly sha256: string;
}

/** A snapshot's manifest.json: what its id (the bars' content hash) was taken over. */
export interface SnapshotManifest {
  readonly snapshot_id: string;
  readonly format: string;
  readonly stream: SnapshotStream;
  readonly bars: number;
  readonly start_ts: number | null;
  readonly end_ts: number | null;
  readonly columns: readonly string[];
  readonly months: readonly MonthEntry[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Where snapshot `id` lives under a snapshots directory. */
export const snapshotDir = (root: string, id: string) => join(root, id);

/** Bar ranges of a series by UTC month of their open time. */
function months(series: BarSeries): { month: string; from: number; to: number }[] {
  const out: { month: string; from: number; to: number }[] = [];
  for (let i = 0; i < series.length; i++) {
    const month = isoUtc(series.ts[i]!).slice(0, 7);
    if (out.at(-1)?.month === month) out.at(-1)!.to = i + 1;
    else out.push({ month, from: i, to: i + 1 });
  }
  return out;
}

function monthBytes(series: BarSeries): Uint8Array {
  invariant(LITTLE_ENDIAN, 'snapshots are written on little-endian machines only');
  const bytes = new Uint8Array(series.length * 8 * COLUMNS.length);
  seriesColumns(series).forEach((column, c) => {
    bytes.set(new Uint8Array(column.buffer, column.byteOffset, series.length * 8), c * series.length * 8);
  });
  return bytes;
}

/**
 * Writes the bars a shard reads as a snapshot named by their content hash (the backtest's input
 * hash): one file per UTC month and a manifest, into `<root>/<id>/` at once (a temporary folder
 * renamed). A snapshot already there is kept: the same id is the same bars.
 */
export function exportSnapshot(root: string, stream: SnapshotStream, series: BarSeries): SnapshotManifest {
  const id = seriesHash(series);
  const dir = snapshotDir(root, id);
  if (existsSync(join(dir, 'manifest.json'))) return readManifest(root, id);
  mkdirSync(root, { recursive: true });
  const temporary = join(root, `.${id}.tmp-${randomUUID().slice(0, 8)}`);
  mkdirSync(temporary);
  try {
    const entries = months(series).map(({ month, from, to }) => {
      const bytes = monthBytes(sliceSeries(series, from, to));
      const file = `${month}.bars`;
      writeFileSync(join(temporary, file), bytes);
      return { file, bars: to - from, sha256: sha256(bytes) };
    });
    const manifest: SnapshotManifest = {
      snapshot_id: id,
      format: SNAPSHOT_FORMAT,
      stream: { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe },
      bars: series.length,
      start_ts: series.length === 0 ? null : series.ts[0]!,
      end_ts: series.length === 0 ? null : series.ts[series.length - 1]!,
      columns: [...COLUMNS],
      months: entries,
    };
    writeFileSync(join(temporary, 'manifest.json'), manifestText(manifest));
    try {
      renameSync(temporary, dir);
    } catch (error) {
      // Another submitter wrote the same bars first: theirs is this snapshot.
      if (!existsSync(join(dir, 'manifest.json'))) throw error;
    }
    return manifest;
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

function refused(root: string, id: string, why: string): MjolnirError {
  return new MjolnirError('data_invalid', `snapshot ${id.slice(0, 12)} in ${root}: ${why}`);
}

function readManifest(root: string, id: string): SnapshotManifest {
  const path = join(snapshotDir(root, id), 'manifest.json');
  if (!existsSync(path))
    throw refused(root, id, 'not there (the submitter exports it; workers need the same shared directory)');
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as SnapshotManifest;
  } catch (error) {
    throw refused(root, id, `manifest.json is not valid JSON (${(error as Error).message})`);
  }
  if (manifest.format !== SNAPSHOT_FORMAT || !Array.isArray(manifest.months))
    throw refused(root, id, `manifest.json is not a ${SNAPSHOT_FORMAT} snapshot`);
  return manifest;
}

/**
 * The bars of snapshot `id`, proven to be the ones it was named after: every month file's hash as the
 * manifest says, and the bars' content hash equal to the id. Anything else is refused (data_invalid):
 * a shard never runs on bars other than its submitter's.
 */
export function readSnapshot(root: string, id: string): BarSeries {
  const manifest = readManifest(root, id);
  const series = allocateSeries(manifest.bars);
  const columns = seriesColumns(series);
  let at = 0;
  for (const entry of manifest.months) {
    const path = join(snapshotDir(root, id), entry.file);
    if (!existsSync(path)) throw refused(root, id, `${entry.file} is missing`);
    const bytes = new Uint8Array(readFileSync(path));
    if (bytes.length !== entry.bars * 8 * COLUMNS.length || sha256(bytes) !== entry.sha256)
      throw refused(root, id, `${entry.file} is not the file the manifest names (size or sha256 differ)`);
    if (at + entry.bars > manifest.bars)
      throw refused(root, id, 'the month files hold more bars than the manifest');
    const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
    columns.forEach((column, c) => {
      column.set(values.subarray(c * entry.bars, (c + 1) * entry.bars), at);
    });
    at += entry.bars;
  }
  if (at !== manifest.bars)
    throw refused(root, id, `the month files hold ${at} bars, the manifest ${manifest.bars}`);
  const hash = seriesHash(series);
  if (hash !== id)
    throw refused(root, id, `its bars hash to ${hash.slice(0, 12)}: not the bars the shard was made for`);
  return series;
}
