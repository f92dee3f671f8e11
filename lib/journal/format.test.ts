import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trade } from '../engine/index.js';
import type { TsMs } from '../time/index.js';
import { encodeBatch } from './batch.js';
import { ByteSink, MAX_NUMBER_BYTES, putHex32, putInteger, putNumber } from './byte-sink.js';
import { formatNumber } from './format.js';
import { decisionLines } from './lines.js';
import { TradeBatch, tradeRow } from './trades.js';

/** What putNumber writes for `x`, as text. */
function written(x: number): string {
  const bytes = new Uint8Array(64);
  return Buffer.from(bytes.subarray(0, putNumber(new DataView(bytes.buffer), 0, x))).toString('latin1');
}

describe('journal number text', () => {
  it('is exactly String(x) for any double (NaN: the empty cell), as text and as bytes', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const expected = Number.isNaN(x) ? '' : String(x);
        expect(formatNumber(x)).toBe(expected);
        expect(written(x)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exactly String(x) for exchange prices of up to 8 decimals (the integer fast path), and round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -9e15, max: 9e15 }),
        fc.integer({ min: 0, max: 8 }),
        (units, decimals) => {
          const x = Number((units / 10 ** decimals).toFixed(decimals));
          expect(written(x)).toBe(String(x));
          expect(Number(written(x))).toBe(x);
        },
      ),
      { numRuns: 20_000 },
    );
    for (const x of [
      31106.16839994, 0.1, 0.00000001, 1e-7, 12, -0.5, 89_999_999.99999999, 1e21, 0.30000000000000004,
    ]) {
      expect(written(x)).toBe(String(x));
    }
  });
});

describe('the time_utc column', () => {
  it('is exactly toISOString of ts_ms, on and off the minute, across days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.boolean(), (raw, onMinute) => {
        const ts = onMinute ? raw - (raw % 60_000) : raw;
        const line = decisionLines([
          {
            exchange: 'x',
            symbol: 'A/B',
            timeframe: '1m',
            ts_ms: ts as TsMs,
            action: 'hold',
            reason: 'no_signal',
            position: 'flat',
            close: 1,
            stop: Number.NaN,
            qty: 0,
            fill_price: Number.NaN,
            equity: 1,
            input_hash: '',
            features: '',
            strategy: 's',
            model_id: '',
            spec: 'p',
          },
        ]);
        expect(line.trimEnd().split(',')[17]).toBe(new Date(ts).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('journal bytes', () => {
  const buffer = new Uint8Array(64);
  const view = new DataView(buffer.buffer);
  const text = (end: number) => Buffer.from(buffer.subarray(0, end)).toString('latin1');

  it('putNumber writes exactly String(x) (NaN nothing), within MAX_NUMBER_BYTES, for any double and price', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.integer({ min: -9e15, max: 9e15 }).map((n) => n / 1e8),
        ),
        (x) => {
          const end = putNumber(view, 0, x);
          expect(text(end)).toBe(Number.isNaN(x) ? '' : String(x));
          expect(end).toBeLessThanOrEqual(MAX_NUMBER_BYTES);
        },
      ),
      { numRuns: 20_000 },
    );
    expect(text(putNumber(view, 0, -0.0000012345678901234567))).toBe('-0.0000012345678901234567');
  });

  it('putInteger and putHex32 write what String and toString(16) do', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.nat({ max: 0xffffffff }),
        (n, h) => {
          expect(text(putInteger(view, 0, n))).toBe(String(n));
          expect(text(putHex32(view, 0, h))).toBe(h.toString(16).padStart(8, '0'));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('trades.csv lines', () => {
  it("a trade batch writes exactly each trade's cells as String writes them, line after line", () => {
    const stream = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' };
    const price = fc.oneof(
      fc.double(),
      fc.integer({ min: -9e12, max: 9e12 }).map((n) => n / 100),
    );
    const ts = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double());
    const trade = fc.record({
      kind: fc.constant('close' as const),
      entry_ts_ms: ts,
      exit_ts_ms: ts,
      side: fc.constantFrom(1 as const, -1 as const),
      entry_price: price,
      exit_price: price,
      qty: fc.double(),
      exit_reason: fc.constantFrom(
        'exit_signal' as const,
        'stop_hit' as const,
        'kill_switch_flatten' as const,
        'reverse_signal' as const,
      ),
      pnl: price,
      fees: fc.double(),
    });
    fc.assert(
      fc.property(fc.array(trade, { minLength: 1, maxLength: 5 }), (trades) => {
        const sink = new ByteSink(16);
        const batch = new TradeBatch(stream, trades.length);
        for (const t of trades) batch.add(t as Trade);
        encodeBatch(batch, sink);
        const expected = trades.map((t) => {
          const row = tradeRow(stream, t as Trade);
          const cells = [
            row.exchange,
            row.symbol,
            row.timeframe,
            String(row.entry_ts_ms),
            String(row.exit_ts_ms),
          ];
          const price = [row.entry_price, row.exit_price, row.qty].map(formatNumber);
          return `${[...cells, row.side, ...price, row.exit_reason, formatNumber(row.pnl), formatNumber(row.fees)].join(',')}\n`;
        });
        expect(sink.textFrom(0)).toBe(expected.join(''));
      }),
      { numRuns: 5_000 },
    );
  });
});
