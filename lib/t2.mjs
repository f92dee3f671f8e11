import { mkdtempSync, readFileSync } from 'node:fs';
import { Lake } from './dist/store/index.js';

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const root = mkdtempSync('/tmp/dk/lake-');
const lake = await Lake.open(root);
const key = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' };
const N = Number(process.argv[2] ?? 20000);
const mode = process.argv[3] ?? 'write';
const T0 = Date.UTC(2024, 0, 1);
for (let i = 0; i < N; i++) {
  const ts = T0 + i * 300000;
  await lake.write(key, [{ ts, open: 1 + i, high: 2 + i, low: 0.5 + i, close: 1.5 + i, volume: 10 }]);
  if (mode === 'read' && i % 10 === 0) await lake.read(key, ts - 300000 * 500, ts);
  if (i % 5000 === 0) console.log(i, rss().toFixed(1));
}
console.log('end', rss().toFixed(1));
