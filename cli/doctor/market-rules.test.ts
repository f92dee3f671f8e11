import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLayout, parseConfig } from '@mjolnir/lib';
import { recordRules } from '@mjolnir/lib/store';
import { describe, expect, it } from 'vitest';
import { marketRules } from './local.js';

const parsed = parseConfig(
  'exchange: coinbase\nsymbols: [BTC/USD]\ntimeframe: 5m\nstrategy: { id: ema_cross_atr }\nmarket_rules: venue\n',
  'c.yaml',
);
if (!parsed.ok) throw new Error('config');
const config = parsed.value;
const KEY = { exchange: 'coinbase', symbol: 'BTC/USD', timeframe: '5m' } as const;
const RULES = { amountStep: '0.00000001', minAmount: '0.00000001', priceTick: '0.01', minNotional: '1' };

describe('doctor: market rules', () => {
  it('says none stored, then when they were read, then that they changed since the read before', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mjolnir-doctor-rules-'));
    const now = Date.UTC(2026, 0, 2, 12);
    expect((await marketRules(config, root, now))[0]).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('none stored yet'),
    });
    recordRules(new DataLayout(root), KEY, { rules: RULES, fees: null, readAt: now - 3 * 3_600_000 });
    expect((await marketRules(config, root, now))[0]).toMatchObject({
      status: 'OK',
      detail:
        'BTC/USD: read 3.0 hours ago: step 0.00000001, min amount 0.00000001, tick 0.01, min notional 1',
    });
    expect(
      recordRules(new DataLayout(root), KEY, {
        rules: { ...RULES, minNotional: '10' },
        fees: null,
        readAt: now,
      }),
    ).toEqual(['minNotional 1 -> 10']);
    expect((await marketRules(config, root, now))[0]).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('changed since the read before (minNotional 1 -> 10)'),
    });
    const plain = parseConfig(
      'exchange: coinbase\nsymbols: [BTC/USD]\ntimeframe: 5m\nstrategy: { id: ema_cross_atr }\n',
      'c.yaml',
    );
    expect(plain.ok && (await marketRules(plain.value, root, now))).toEqual([]);
  });
});
