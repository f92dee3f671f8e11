/**
 * The real ccxt client (its binance class, unmodified but for its URLs) against the simulated
 * exchange on a free loopback port, and the real lake (DuckDB, parquet files) behind it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Bar,
  closedBars,
  gapReport,
  hasErrorCode,
  type MarketKey,
  MjolnirError,
  parseConfig,
  TestClock,
  timeframe,
} from '@mjolnir/lib';
import { CcxtMarketData, marketDataFor, measureClockDrift } from '@mjolnir/lib/exchange';
import { FaultPlan, klines, type SimServer, SyntheticSource, startSimServer } from '@mjolnir/lib/sim';
import { backfill, Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const TF = timeframe('5m');
const ORIGIN = Date.UTC(2024, 4, 1);
const START = Date.UTC(2024, 4, 11, 12, 2, 30); // mid-bar: the newest 5m bar is in progress
const KEY: MarketKey = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' };

let clock: TestClock;
let faults: FaultPlan;
let sim: SimServer;
let market: SyntheticSource;

function source(overrides: Partial<ConstructorParameters<typeof CcxtMarketData>[0]> = {}) {
  return new CcxtMarketData({
    exchange: 'binance',
    simulatorUrl: sim.url,
    timeoutMs: 1_000,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    sleep: async () => {},
    ...overrides,
  });
}

/** What the exchange's bar closing at `ts` finally is, asked long after it closed (sent with 8 decimals). */
function finalBar(ts: number, from: SyntheticSource = market): Bar {
  const [k] = klines(from, TF, ts - TF.ms, ts - TF.ms, ts + 86_400_000);
  const sent = (x: number) => Number(x.toFixed(8));
  return {
    ts: ts as Bar['ts'],
    open: sent(k!.open),
    high: sent(k!.high),
    low: sent(k!.low),
    close: sent(k!.close),
    volume: sent(k!.volume),
  };
}

beforeAll(async () => {
  clock = new TestClock(START);
  faults = new FaultPlan();
  market = new SyntheticSource(ORIGIN, 99, 'BTC/USDT');
  sim = await startSimServer({
    clock,
    faults,
    markets: { 'BTC/USDT': market, 'ETH/USDT': new SyntheticSource(ORIGIN, 99, 'ETH/USDT') },
  });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  faults.configure({
    rate_limit: 0,
    server_error: 0,
    timeout: 0,
    malformed: 0,
    duplicate: 0,
    out_of_order: 0,
    missing: 0,
    time_jump: null,
  });
});

describe('ccxt against the simulated exchange, into the lake', () => {
  it('bars land in the lake and read back identical; the in-progress bar is never persisted as closed', async () => {
    const lake = await Lake.open(mkdtempSync(join(tmpdir(), 'mjolnir-md-')));
    const data = source();
    try {
      // Poll like the paper loop does: fetch recent bars, drop the newest, persist the rest.
      for (let poll = 0; poll < 12; poll++) {
        const fetched = await data.fetchBars('BTC/USDT', TF, undefined, 20);
        expect(fetched.flags).toEqual([]);
        const newest = fetched.bars.at(-1)!;
        expect(newest.ts).toBeGreaterThan(clock.now()); // the exchange shows the bar in progress
        await lake.write(KEY, closedBars(fetched.bars));
        clock.advance(97_000); // not a multiple of 5m: polls land mid-bar
      }
      const stored = await lake.read(KEY, 0, 4e12);
      expect(stored.length).toBeGreaterThan(20);
      for (let i = 0; i < stored.length; i++) {
        const ts = stored.ts[i]!;
        expect(ts).toBeLessThanOrEqual(clock.now());
        // Every stored bar is the exchange's final bar, not a snapshot of it in progress.
        expect({
          ts,
          open: stored.open[i],
          high: stored.high[i],
          low: stored.low[i],
          close: stored.close[i],
          volume: stored.volume[i],
        }).toEqual(finalBar(ts));
      }
    } finally {
      lake.close();
      await data.close();
    }
  });

  it('walks history in pages of the exchange limit, and backfills resumably without writing twice', async () => {
    const lake = await Lake.open(mkdtempSync(join(tmpdir(), 'mjolnir-bf-')));
    const data = source();
    const start = ORIGIN + TF.ms;
    const now = clock.now();
    try {
      let pages = 0;
      const interrupted = backfill({
        source: data,
        lake,
        key: KEY,
        start,
        end: now,
        now,
        onProgress: () => {
          if (++pages === 3) throw new Error('operator pressed ctrl-c');
        },
      });
      await expect(interrupted).rejects.toThrow(/ctrl-c/);
      const partial = (await lake.read(KEY, 0, 4e12)).length;
      expect(partial).toBe(2000); // two pages of 1000 written and recorded before the interruption

      const before = sim.requests['/api/v3/klines'] ?? 0;
      const resumed = await backfill({ source: data, lake, key: KEY, start, end: now, now });
      expect(resumed.alreadyCovered).toBe(2000);
      const expected = Math.floor(now / TF.ms) - 1 - (ORIGIN + TF.ms) / TF.ms + 1;
      expect(resumed.bars).toBe(expected - 2000);
      expect(resumed.pages).toBe(Math.ceil((expected - 2000) / 1000));
      const again = await backfill({ source: data, lake, key: KEY, start, end: now, now });
      expect(again).toMatchObject({ bars: 0, pages: 0, partitionsWritten: 0, alreadyCovered: expected });
      expect((sim.requests['/api/v3/klines'] ?? 0) - before).toBe(resumed.pages);
      const stored = await lake.read(KEY, 0, 4e12);
      expect(stored.length).toBe(expected);
      expect(gapReport(stored, TF, start, now - TF.ms).missing).toBe(0);
    } finally {
      lake.close();
      await data.close();
    }
  });
});

describe('every injected fault yields a typed error or a flagged bar', () => {
  it('429 is retried with backoff, then fails as rate_limited once attempts run out', async () => {
    const retries: string[] = [];
    const data = source({ onRetry: (error) => retries.push(error.code) });
    faults.enqueue('rate_limit', 'rate_limit');
    const fetched = await data.fetchBars('BTC/USDT', TF, undefined, 5);
    expect(fetched.bars).toHaveLength(5);
    expect(retries).toEqual(['rate_limited', 'rate_limited']);
    faults.enqueue('rate_limit', 'rate_limit', 'rate_limit', 'rate_limit');
    const failure = await data.fetchBars('BTC/USDT', TF, undefined, 5).catch((e: unknown) => e);
    expect(hasErrorCode(failure, 'rate_limited')).toBe(true);
    expect((failure as MjolnirError).category).toBe('retryable');
    await data.close();
  });

  it('5xx is exchange_unavailable, a hung request is a timeout, a garbage body is bad_response (three kinds)', async () => {
    const once = source({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, timeoutMs: 300 });
    faults.configure({ timeout_ms: 2_000 });
    const codes: string[] = [];
    for (const fault of ['server_error', 'timeout', 'malformed', 'malformed', 'malformed'] as const) {
      faults.enqueue(fault);
      const failure = await once.fetchBars('BTC/USDT', TF, undefined, 5).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MjolnirError);
      codes.push((failure as MjolnirError).code);
    }
    expect(codes).toEqual([
      'exchange_unavailable',
      'timeout',
      'bad_response',
      'bad_response',
      'bad_response',
    ]);
    await once.close();
  });

  it('duplicate and out-of-order candles are flagged and repaired (unique, sorted), never passed on silently', async () => {
    const data = source();
    faults.enqueue('duplicate');
    const duplicated = await data.fetchBars('BTC/USDT', TF, undefined, 10);
    expect(duplicated.flags.map((f) => f.flag)).toEqual(['duplicate']);
    // Unique after repair (ccxt's limit may have cut the newest real candle to make room for the copy).
    expect(new Set(duplicated.bars.map((b) => b.ts)).size).toBe(duplicated.bars.length);
    expect(duplicated.bars.length).toBeGreaterThanOrEqual(9);
    faults.enqueue('out_of_order');
    const shuffled = await data.fetchBars('BTC/USDT', TF, undefined, 10);
    expect(shuffled.flags.map((f) => f.flag)).toEqual(['out_of_order']);
    expect(shuffled.bars.map((b) => b.ts)).toEqual([...shuffled.bars.map((b) => b.ts)].sort((a, b) => a - b));
    await data.close();
  });

  it('bars the exchange lacks stay missing (a gap), never invented', async () => {
    const data = source();
    faults.configure({ missing: 0.2, seed: 5 });
    const since = START - 400 * TF.ms;
    const fetched = await data.fetchBars('BTC/USDT', TF, since, 300);
    const report = gapReport(
      { length: fetched.bars.length, ...columns(fetched.bars) },
      TF,
      fetched.bars[0]!.ts,
      fetched.bars.at(-1)!.ts,
    );
    expect(report.missing).toBeGreaterThan(20);
    expect(report.present).toBe(fetched.bars.length);
    await data.close();
  });

  it('a server-time jump shows as clock drift; an unknown symbol is an operator error', async () => {
    const data = source();
    expect((await measureClockDrift(data, clock))!.driftMs).toBe(0);
    faults.configure({ time_jump: { at: clock.now(), offset_ms: 4_000 } });
    expect((await measureClockDrift(data, clock))!.driftMs).toBe(4_000);
    const failure = await data.fetchBars('DOGE/USDT', TF).catch((e: unknown) => e);
    expect(hasErrorCode(failure, 'bad_symbol')).toBe(true);
    expect((failure as MjolnirError).category).toBe('operator');
    await data.close();
  });

  it('random faults over many requests: the adapter survives every one and never returns a wrong bar', async () => {
    const data = source({ timeoutMs: 300, retry: { attempts: 8, baseDelayMs: 1, maxDelayMs: 2 } });
    faults.configure({
      seed: 17,
      rate_limit: 0.1,
      server_error: 0.1,
      malformed: 0.1,
      duplicate: 0.1,
      out_of_order: 0.1,
      timeout: 0.02,
      timeout_ms: 400,
    });
    for (let i = 0; i < 12; i++) {
      const result = await data.fetchBars('ETH/USDT', TF, undefined, 30).catch((e: unknown) => e);
      if (result instanceof MjolnirError) {
        expect(result.category).toBe('retryable');
        continue;
      }
      const { bars } = result as { bars: Bar[] };
      for (const bar of closedBars(bars)) expect(bar).toEqual(finalBarOf('ETH/USDT', bar.ts));
    }
    expect(Object.values(faults.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    await data.close();
  });

  it('a config pointing at the simulator: no API key reaches ccxt or the wire; one request loads its spot markets', async () => {
    const parsed = parseConfig(
      `exchange: binance\nsymbols: [BTC/USDT]\ntimeframe: 5m\nstrategy: { id: ema_cross_atr }\nsimulator: { port: ${sim.port} }\n`,
      'sim.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const before = { ...sim.requests };
    const count = (path: string, of: Record<string, number>) => of[path] ?? 0;
    const client = marketDataFor(parsed.value, {
      env: { BINANCE_API_KEY: 'live-key-do-not-send', BINANCE_API_SECRET: 'secret' },
    });
    try {
      const page = await client.fetchBars('BTC/USDT', TF, undefined, 10);
      expect(page.bars.length).toBe(10);
    } finally {
      await client.close();
    }
    expect(sim.keyed()).toBe(0);
    expect(Object.keys(sim.requests).filter((path) => path.startsWith('/sapi/'))).toEqual([]);
    expect(count('/api/v3/exchangeInfo', sim.requests)).toBe(count('/api/v3/exchangeInfo', before) + 1);
    for (const futures of ['/fapi/v1/exchangeInfo', '/dapi/v1/exchangeInfo'])
      expect(count(futures, sim.requests)).toBe(count(futures, before));
  });
});

function columns(bars: readonly Bar[]) {
  return {
    ts: Float64Array.from(bars, (b) => b.ts),
    open: Float64Array.from(bars, (b) => b.open),
    high: Float64Array.from(bars, (b) => b.high),
    low: Float64Array.from(bars, (b) => b.low),
    close: Float64Array.from(bars, (b) => b.close),
    volume: Float64Array.from(bars, (b) => b.volume),
  };
}

function finalBarOf(symbol: string, ts: number): Bar {
  return finalBar(ts, new SyntheticSource(ORIGIN, 99, symbol));
}
