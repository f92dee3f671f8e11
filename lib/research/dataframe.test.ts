import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barsFromSeries, generateSeries } from '../market/index.js';
import { Lake } from '../store/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { lakeFrame } from './dataframe.js';

describe('DataFrame view', () => {
  it('shows a lake window as a danfo DataFrame with the bars in order', async () => {
    const lake = await Lake.open(mkdtempSync(join(tmpdir(), 'mjolnir-df-')));
    try {
      const key = { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' } as const;
      const bars = barsFromSeries(
        generateSeries({ seed: 4, timeframe: timeframe('1h'), startTs: tsMs(Date.UTC(2024, 0, 1, 1)) }, 100),
      );
      await lake.write(key, bars);
      const frame = await lakeFrame(lake, key, bars[10]!.ts, bars[19]!.ts);
      expect(frame.shape).toEqual([10, 7]);
      expect(frame.columns).toEqual(['ts_ms', 'time', 'open', 'high', 'low', 'close', 'volume']);
      expect(frame['close'].values).toEqual(bars.slice(10, 20).map((b) => b.close));
      expect(frame['time'].values[0]).toBe(new Date(bars[10]!.ts).toISOString());
    } finally {
      lake.close();
    }
  });
});
