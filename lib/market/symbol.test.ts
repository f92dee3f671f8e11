import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symbolFromPath, symbolPath } from './symbol.js';

const code = fc.stringMatching(/^[A-Z0-9]{2,10}$/);

/** ccxt's unified symbol forms: spot, swaps (`:SETTLE`), dated futures (`-YYMMDD`) and options (`-STRIKE-C|P`). */
const symbol = fc
  .tuple(
    code,
    code,
    fc.option(code, { nil: undefined }),
    fc.option(fc.stringMatching(/^\d{6}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.integer({ min: 1, max: 500_000 }), fc.constantFrom('C', 'P')), { nil: undefined }),
  )
  .map(([base, quote, settle, expiry, option]) => {
    let s = `${base}/${quote}`;
    if (settle === undefined) return s;
    s += `:${settle}`;
    if (expiry === undefined) return s;
    s += `-${expiry}`;
    return option === undefined ? s : `${s}-${option[0]}-${option[1]}`;
  });

describe('symbol paths', () => {
  it('read back exactly whatever ccxt symbol form went in', () => {
    fc.assert(
      fc.property(symbol, (s) => {
        expect(symbolFromPath(symbolPath(s))).toBe(s);
      }),
      { numRuns: 2_000 },
    );
    expect(symbolPath('BTC/USDT:USDT-240628')).toBe('BTC_USDT-USDT-240628');
    expect(symbolFromPath('BTC_USDT-USDT-240628')).toBe('BTC/USDT:USDT-240628');
    expect(symbolFromPath('BTC_USD-BTC-240628-60000-C')).toBe('BTC/USD:BTC-240628-60000-C');
  });
});
