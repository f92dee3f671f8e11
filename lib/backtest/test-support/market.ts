import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stream } from '../../config/index.js';
import { type BarSeries, barsFromSeries, generateSeries, seriesFromBars } from '../../market/index.js';
import { Lake } from '../../store/index.js';
import type { TsMs } from '../../time/index.js';
import { timeframe } from '../../time/index.js';

/** The 5m stream the backtest tests read and write. */
export const TF = timeframe('5m');
export const STREAM: Stream = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m', tag: 'unit' };
export const KEY = { exchange: STREAM.exchange, symbol: STREAM.symbol, timeframe: STREAM.timeframe };

/** A market that opens away from the last close now and then, with bars 612, 1225, 1838, 2451 missing. */
export const SERIES: BarSeries = seriesFromBars(
  barsFromSeries(
    generateSeries(
      {
        seed: 5,
        timeframe: TF,
        startTs: (Date.UTC(2024, 2, 1) + TF.ms) as TsMs,
        startPrice: 30_000,
        gapProbability: 0.08,
      },
      3_000,
    ),
  ).filter((_bar, i) => i % 613 !== 612),
);

/** Close time of bar `i` of SERIES. */
export const at = (i: number): number => SERIES.ts[i]!;

/** A fresh lake in a temporary folder holding SERIES. */
export async function lakeWithSeries(): Promise<Lake> {
  const lake = await Lake.open(mkdtempSync(join(tmpdir(), 'mjolnir-bt-')));
  await lake.write(KEY, barsFromSeries(SERIES));
  return lake;
}
