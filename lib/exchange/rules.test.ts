/**
 * Market rules read through ccxt from the simulator's markets (Binance BTC/USDT, Coinbase BTC-USD),
 * and our exact decimal rounding against ccxt's own amountToPrecision / priceToPrecision over 10,000
 * random quantities and prices on each.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountToStep, applyRules, priceToTick } from '../market/index.js';
import { type SimServer, SyntheticSource, startSimServer } from '../sim/index.js';
import { TestClock } from '../time/index.js';
import { CcxtMarketData, createCcxtExchange } from './index.js';

const NOW = Date.UTC(2024, 3, 2, 12);
const VENUES = [
  { venue: 'binance', symbol: 'BTC/USDT' },
  { venue: 'coinbase', symbol: 'BTC/USD' },
] as const;
const sims: Record<string, SimServer> = {};

beforeAll(async () => {
  for (const { venue, symbol } of VENUES)
    sims[venue] = await startSimServer({
      clock: new TestClock(NOW),
      venue,
      markets: { [symbol]: new SyntheticSource(NOW - 86_400_000, 3, symbol) },
    });
});
afterAll(async () => {
  for (const sim of Object.values(sims)) await sim.close();
});

describe('market rules', () => {
  it("are read through ccxt as each venue states them, with the venue's time", async () => {
    const expected = {
      binance: { amountStep: '0.00001', minAmount: '0.00001', priceTick: '0.01', minNotional: '5' },
      coinbase: { amountStep: '0.00000001', minAmount: '0.00000001', priceTick: '0.01', minNotional: '1' },
    };
    // The fees ccxt states without keys: Binance's 0.1%, Coinbase's entry tier (0.6% maker, 1.2% taker).
    const fees = { binance: { maker: 0.001, taker: 0.001 }, coinbase: { maker: 0.006, taker: 0.012 } };
    for (const { venue, symbol } of VENUES) {
      const md = new CcxtMarketData({ exchange: venue, simulatorUrl: sims[venue]!.url, spotOnly: true });
      try {
        expect(await md.marketRules(symbol)).toEqual({
          rules: expected[venue],
          fees: fees[venue],
          readAt: NOW,
        });
      } finally {
        await md.close();
      }
    }
  });

  it("round as ccxt's amountToPrecision and priceToPrecision do, over 10,000 quantities and prices", async () => {
    for (const { venue, symbol } of VENUES) {
      const exchange = createCcxtExchange({
        exchange: venue,
        simulatorUrl: sims[venue]!.url,
        spotOnly: true,
      });
      const md = new CcxtMarketData({ exchange: venue, simulatorUrl: sims[venue]!.url, spotOnly: true });
      try {
        await exchange.loadMarkets();
        const { rules } = await md.marketRules(symbol);
        const step = Number(rules.amountStep);
        // Plain doubles, and float multiples of the step (0.1 * 3 = 0.30000000000000004: where rounding slips).
        const quantity = fc.oneof(
          fc.double({ min: 0, max: 50, noNaN: true }),
          fc.integer({ min: 0, max: 10_000_000 }).map((n) => n * step),
          fc.integer({ min: 1, max: 10_000_000 }).map((n) => n * step - Number.EPSILON * n),
        );
        const price = fc.oneof(
          fc.double({ min: 0.01, max: 200_000, noNaN: true }),
          fc.integer({ min: 1, max: 20_000_000 }).map((n) => n * 0.005),
        );
        fc.assert(
          fc.property(quantity, price, (q, p) => {
            let theirs = 0;
            try {
              theirs = Number(exchange.amountToPrecision(symbol, q));
            } catch {
              theirs = 0; // ccxt refuses an amount that truncates to 0
            }
            expect(amountToStep(q, rules.amountStep)).toBe(theirs);
            expect(priceToTick(p, rules.priceTick)).toBe(Number(exchange.priceToPrecision(symbol, p)));
          }),
          { numRuns: 10_000 },
        );
      } finally {
        await md.close();
        await exchange.close();
      }
    }
  });

  it('refuse an order under the minimum amount or notional, never rounding up', () => {
    const rules = { amountStep: '0.00001', minAmount: '0.00001', priceTick: '0.01', minNotional: '5' };
    expect(applyRules(0.0387215, 60_000, rules)).toEqual({ amount: 0.03872, refusal: null });
    expect(applyRules(0.000009, 60_000, rules)).toEqual({ amount: 0, refusal: 'below_min_amount' });
    expect(applyRules(0.00005, 60_000, rules)).toEqual({ amount: 0.00005, refusal: 'below_min_notional' });
    expect(amountToStep(0.3, '0.1')).toBe(0.3);
    expect(amountToStep(0.1 * 3, '0.1')).toBe(0.3);
    expect(priceToTick(1.005, '0.01')).toBe(1.01);
  });
});
