import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataLayout } from './layout.js';

describe('the data layout', () => {
  it("lists the journals' streams with their symbols read back exactly (swaps and dated futures too)", () => {
    const root = mkdtempSync(join(tmpdir(), 'mjolnir-layout-'));
    const layout = new DataLayout(root);
    for (const [tag, symbol, tf] of [
      ['live', 'BTC/USDT:USDT', '5m'],
      ['live', 'BTC/USDT:USDT-240628', '1h'],
      ['live', 'ETH/USD', '5m'],
      ['live_bt_r1', 'ETH/USD', '5m'],
    ] as const)
      mkdirSync(join(layout.decisions(tag, symbol, tf), '..'), { recursive: true });
    mkdirSync(join(root, 'processed', 'decisions', 'live', 'ETH_USD', 'not-a-timeframe'));
    expect(layout.journalStreams('live')).toEqual([
      { tag: 'live', symbol: 'BTC/USDT:USDT', timeframe: '5m' },
      { tag: 'live', symbol: 'BTC/USDT:USDT-240628', timeframe: '1h' },
      { tag: 'live', symbol: 'ETH/USD', timeframe: '5m' },
    ]);
    expect(layout.journalStreams().map((s) => s.tag)).toEqual(['live', 'live', 'live', 'live_bt_r1']);
    expect(new DataLayout(join(root, 'none')).journalStreams()).toEqual([]);
  });
});
