/**
 * The simulator's Coinbase face through the real ccxt `coinbase` class (no keys): the markets with
 * BTC-USD's rules, the venue's time to the millisecond, candles as Coinbase sends them (newest first,
 * the one still forming included, 350 at most), its error and rate-limit shapes, and a 3-day backfill
 * paging 300 candles a request.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcxtMarketData } from '../exchange/index.js';
import { backfill, Lake } from '../store/index.js';
import { TestClock, timeframe } from '../time/index.js';
import { faultSchema, type SimServer, SyntheticSource, startSimServer } from './index.js';

const NOW = Date.UTC(2024, 3, 2, 12, 2, 30, 777);
const TF = timeframe('5m');
const CANDLES = '/api/v3/brokerage/market/products/BTC-USD/candles';
let sim: SimServer;
const clock = new TestClock(NOW);
const source = () =>
  new CcxtMarketData({
    exchange: 'coinbase',
    simulatorUrl: sim.url,
    spotOnly: true,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
  });

beforeAll(async () => {
  sim = await startSimServer({
    clock,
    venue: 'coinbase',
    markets: { 'BTC/USD': new SyntheticSource(NOW - 30 * 86_400_000, 5, 'BTC/USD') },
  });
});
afterAll(() => sim.close());

const raw = async (query: string) => {
  const response = await fetch(`${sim.url}${CANDLES}?${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("the simulator's Coinbase face", () => {
  it('gives ccxt the market with its rules and the time to the millisecond', async () => {
    const md = source();
    try {
      expect(md.maxBarsPerRequest).toBe(300);
      expect(await md.fetchServerTime()).toBe(NOW);
      await md.fetchBars('BTC/USD', TF, NOW - 10 * TF.ms);
      type Market = { id: string; precision: unknown; limits: { amount: unknown; cost: unknown } };
      const market = (md as unknown as { exchange: { markets: Record<string, Market> } }).exchange.markets[
        'BTC/USD'
      ]!;
      expect(market.id).toBe('BTC-USD');
      expect(market.precision).toEqual({ amount: 1e-8, price: 0.01 });
      expect(market.limits.amount).toEqual({ min: 1e-8, max: 3400 });
      expect(market.limits.cost).toEqual({ min: 1, max: 150_000_000 });
      expect(sim.keyed()).toBe(0);
    } finally {
      await md.close();
    }
  });

  it('sends candles newest first with the forming one, and refuses more than 350', async () => {
    const end = Math.floor(NOW / 1000) + 300;
    const { status, body } = await raw(`granularity=FIVE_MINUTE&start=${end - 20 * 300}&end=${end}`);
    expect(status).toBe(200);
    const starts = (body['candles'] as { start: string }[]).map((c) => Number(c.start) * 1000);
    expect(starts).toHaveLength(20);
    expect(starts[0]).toBe(Math.floor(NOW / TF.ms) * TF.ms); // still forming: it opened 2.5 minutes ago
    expect(starts.every((s, i) => i === 0 || starts[i - 1]! - s === TF.ms)).toBe(true);
    const tooMany = await raw(`granularity=FIVE_MINUTE&start=${end - 351 * 300}&end=${end}`);
    expect(tooMany).toEqual({
      status: 400,
      body: {
        error: 'INVALID_ARGUMENT',
        error_details: 'number of candles requested should be less than or equal to 350',
        message: 'number of candles requested should be less than or equal to 350',
      },
    });
    expect((await raw('granularity=TEN_MINUTE&start=1&end=2')).status).toBe(400);
  });

  it('the latest bars come by the venue clock; a rate limit is retried', async () => {
    const md = source();
    try {
      // No since: ccxt would ask for a window of this machine's clock (2026), not the venue's (2024).
      const latest = await md.fetchBars('BTC/USD', TF);
      expect(latest.bars.at(-1)!.ts).toBe(Math.ceil(NOW / TF.ms) * TF.ms); // the forming bar's close
      expect(latest.bars).toHaveLength(300);
      sim.faults.configure(faultSchema.parse({ rate_limit: 1 }));
      const limited = await md.fetchBars('BTC/USD', TF, NOW - 5 * TF.ms).catch((error: Error) => error);
      expect(limited).toMatchObject({ code: 'rate_limited' });
      expect(sim.faults.injected.rate_limit).toBe(3);
    } finally {
      sim.faults.configure(faultSchema.parse({}));
      await md.close();
    }
  });

  it('backfills 3 days in pages of 300 candles', async () => {
    const lake = await Lake.open(mkdtempSync(join(tmpdir(), 'mjolnir-cb-')));
    const md = source();
    try {
      const before = sim.requests[CANDLES] ?? 0;
      // The newest bar backfill takes: one before the last closed (it may still be amended).
      const end = Math.floor(NOW / TF.ms) * TF.ms - TF.ms;
      const report = await backfill({
        source: md,
        lake,
        key: { exchange: 'sim', symbol: 'BTC/USD', timeframe: '5m' },
        start: end - 3 * 86_400_000 + TF.ms,
        end,
        now: NOW,
      });
      expect(report).toMatchObject({ bars: 864, pages: 3 });
      expect((sim.requests[CANDLES] ?? 0) - before).toBe(3);
    } finally {
      await md.close();
      lake.close();
    }
  });
});
