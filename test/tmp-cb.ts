import { TestClock, timeframe } from '@mjolnir/lib';
import { CcxtMarketData } from '@mjolnir/lib/exchange';
import { SyntheticSource, startSimServer } from '@mjolnir/lib/sim';

const now = Date.UTC(2024, 3, 2, 12, 2, 30, 777);
const clock = new TestClock(now);
const sim = await startSimServer({
  clock,
  venue: 'coinbase',
  markets: { 'BTC/USD': new SyntheticSource(now - 30 * 86_400_000, 5, 'BTC/USD') },
});
const md = new CcxtMarketData({
  exchange: 'coinbase',
  simulatorUrl: sim.url,
  spotOnly: true,
  retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } as never,
});
console.log('max per request', md.maxBarsPerRequest);
console.log('time', await md.fetchServerTime(), now);
const got = await md.fetchBars('BTC/USD', timeframe('5m'), now - 10 * 300_000);
console.log(
  got.bars.length,
  got.bars.slice(-3).map((b) => [new Date(b.ts).toISOString(), b.close]),
  got.flags,
);
console.log(sim.requests);
const ex = (md as unknown as { exchange: { markets: Record<string, unknown> } }).exchange;
const m = ex.markets['BTC/USD'] as { precision: unknown; limits: unknown; id: string };
console.log(m.id, JSON.stringify(m.precision), JSON.stringify(m.limits));
await md.close();
await sim.close();
