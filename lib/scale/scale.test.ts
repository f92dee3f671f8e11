import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandGrid, runSweep } from '../backtest/index.js';
import { at, SERIES } from '../backtest/test-support/market.js';
import { parseConfig } from '../config/index.js';
import { exactJson, parseExactJson } from '../core/index.js';
import {
  assembleSweep,
  decodeResult,
  encodeResult,
  exportSnapshot,
  queueAddress,
  readSnapshot,
  redactUrl,
  redisProblem,
  runShard,
  type ShardResult,
  shardId,
  sweepShards,
} from './index.js';

const STREAM = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' };
const parsed = parseConfig(
  `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: unit
strategy: { id: ema_cross_atr, params: { atr_period: 5, allow_short: true } }
`,
  'sweep.yaml',
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
const config = parsed.value;

describe('the queue address', () => {
  it('parses redis URLs with BullMQ’s options and never shows the password', () => {
    const address = queueAddress('redis://worker:s3cr%40t@10.0.0.5:6380/2');
    expect(address.options).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      username: 'worker',
      password: 's3cr@t',
      maxRetriesPerRequest: null,
    });
    expect(address.shown).toBe('redis://worker:***@10.0.0.5:6380/2');
    expect(queueAddress('redis://127.0.0.1').options).toMatchObject({ port: 6379, db: 0 });
    expect(queueAddress('rediss://h:1/0').options.tls).toEqual({});
    expect(redactUrl('redis://:pw@h:1/0')).toBe('redis://:***@h:1/0');
    expect(() => queueAddress('http://h:1/0')).toThrow('expected redis://host:port/db');
    expect(() => queueAddress('redis://:pw@h:1/x')).toThrow(
      '--queue redis://:***@h:1/x: the database is a number',
    );
  });

  it('refuses an evicting or old Redis in one line', () => {
    expect(redisProblem('redis://h:1/0', { version: '7.2.4', maxmemoryPolicy: 'noeviction' })).toBeNull();
    expect(redisProblem('redis://h:1/0', { version: '7.2.4', maxmemoryPolicy: 'volatile-lru' })).toBe(
      'redis at redis://h:1/0 has maxmemory-policy volatile-lru: it may evict queued jobs; set maxmemory-policy noeviction (redis.conf or CONFIG SET)',
    );
    expect(redisProblem('redis://h:1/0', { version: '5.0.14', maxmemoryPolicy: 'noeviction' })).toContain(
      'is 5.0.14; the queue needs 6.2.0 or later',
    );
  });
});

describe('results crossing the queue', () => {
  it('keep every number, NaN and the infinities included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0))),
        (values) => {
          const back = parseExactJson(exactJson({ values })) as { values: number[] };
          expect(back.values.map(String)).toEqual(values.map(String));
        },
      ),
    );
  });

  it('a training result keeps its model files byte for byte', () => {
    const fit = {
      label: 'final',
      files: { json: new Uint8Array([123, 125]), weights: new Uint8Array([0, 255, 7, 128]) },
      scaler: { mean: [1], std: [Number.NaN] },
      history: [],
      bestEpoch: 1,
      stoppedEarly: false,
      backend: 'cpu',
    };
    const back = decodeResult(encodeResult({ kind: 'fold', fit } as unknown as ShardResult));
    expect(back).toEqual({ kind: 'fold', fit });
  });
});

describe('snapshots', () => {
  it('read back the exact bars, by month, and refuse any other bytes', () => {
    const root = mkdtempSync(join(tmpdir(), 'mjolnir-snap-'));
    const manifest = exportSnapshot(root, STREAM, SERIES);
    expect(manifest.months.map((m) => m.file)).toEqual(['2024-03.bars']);
    expect(readSnapshot(root, manifest.snapshot_id)).toEqual(SERIES);
    expect(exportSnapshot(root, STREAM, SERIES)).toEqual(manifest);
    // One byte of a month file changed: refused by the file's hash.
    const other = mkdtempSync(join(tmpdir(), 'mjolnir-snap-'));
    cpSync(root, other, { recursive: true });
    const file = join(other, manifest.snapshot_id, '2024-03.bars');
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(file, bytes);
    expect(() => readSnapshot(other, manifest.snapshot_id)).toThrow(
      '2024-03.bars is not the file the manifest names (size or sha256 differ)',
    );
    // The manifest rewritten to match the changed file: the bars' hash is still not the id.
    const path = join(other, manifest.snapshot_id, 'manifest.json');
    const edited = JSON.parse(readFileSync(path, 'utf8'));
    edited.months[0].sha256 = exportSnapshot(mkdtempSync(join(tmpdir(), 'x-')), STREAM, readBars(file))
      .months[0]!.sha256;
    writeFileSync(path, JSON.stringify(edited));
    expect(() => readSnapshot(other, manifest.snapshot_id)).toThrow('not the bars the shard was made for');
    expect(() => readSnapshot(root, 'f'.repeat(64))).toThrow('not there (the submitter exports it');
  });
});

/** The series a month file holds (six float64 columns). */
function readBars(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const values = new Float64Array(bytes.buffer, 0, bytes.length / 8);
  const n = values.length / 6;
  const column = (c: number) => values.slice(c * n, (c + 1) * n);
  return {
    length: n,
    ts: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
  };
}

describe('sweep shards', () => {
  const window = { start: at(1_000), end: at(2_600) };
  const grid = { fast: [3, 5, 8], slow: [8, 13, 21] };
  const jobs = expandGrid(grid).map((params, index) => ({ index, params }));

  it('give the local sweep’s rows, in any order of completion, each set exactly once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mjolnir-snap-'));
    const snapshot = exportSnapshot(root, STREAM, SERIES).snapshot_id;
    const shards = sweepShards(
      { config, strategySha256: null, window, snapshot, codeVersion: 'v1' },
      jobs,
      4,
    );
    expect(shards.map((s) => s.sets.length)).toEqual([4, 4, 1]);
    const results = await Promise.all(shards.map((s) => runShard(s, { snapshots: root, codeVersion: 'v1' })));
    const local = await runSweep({ config, grid, series: SERIES, window, workers: 0 });
    const decoded = results.map((r) => decodeResult(encodeResult(r)));
    expect(assembleSweep([...decoded].reverse(), jobs.length)).toEqual(local);
    expect(() => assembleSweep([decoded[0]!, decoded[0]!, decoded[1]!, decoded[2]!], 9)).toThrow(
      'set 0 came back twice',
    );
    expect(() => assembleSweep([decoded[0]!, decoded[2]!], 9)).toThrow('set 4 of 9 has no result');
    await expect(runShard(shards[0]!, { snapshots: root, codeVersion: 'v2' })).rejects.toThrow(
      'the shard was made by code v1, this worker runs v2',
    );
  });

  it('are named by their inputs: the same shard the same id, whatever the key order', () => {
    const [a] = sweepShards({ config, strategySha256: null, window, snapshot: 'x', codeVersion: 'v1' }, jobs);
    const reordered = JSON.parse(JSON.stringify({ ...a, kind: undefined }));
    expect(shardId({ kind: 'sweep', ...reordered })).toBe(shardId(a!));
    expect(shardId({ ...a!, snapshot: 'y' })).not.toBe(shardId(a!));
  });
});
