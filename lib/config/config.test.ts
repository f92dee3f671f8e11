import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../core/index.js';
import { describeSpec } from '../engine/index.js';
import { symbolPath } from '../market/index.js';
import { engineSpecOf, streamsOf, usesVenueRules, withVenueStatement } from './compile.js';
import { formatProblem, loadConfig, parseConfig } from './load.js';

const DEFAULT = readFileSync(new URL('../../configs/default.yaml', import.meta.url), 'utf8');

function problems(text: string, env: Record<string, string> = {}): string[] {
  const result = parseConfig(text, 'configs/x.yaml', env);
  if (result.ok) throw new Error('expected the config to be refused');
  return result.error.map(formatProblem);
}

describe('config validation', () => {
  it('accepts the shipped default and fills the defaults of omitted sections', () => {
    const result = parseConfig(
      'exchange: binance\nsymbols: [ETH/USDT]\ntimeframe: 1h\nstrategy: {id: sma_cross}\n',
      'min.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.fill).toEqual({ model: 'close', stop_through: false });
    expect(result.value.risk.daily_loss_limit).toBeNull();
    expect(parseConfig(DEFAULT, 'configs/default.yaml').ok).toBe(true);
  });

  it.each([
    [
      'a bad strategy parameter',
      DEFAULT.replace('fast: 12', 'fast: -3'),
      'configs/x.yaml:10:11: strategy.params.fast = -3: expected a number >= 2',
    ],
    [
      'a misspelt key',
      DEFAULT.replace('fee_bps: 10', 'feee_bps: 10'),
      'configs/x.yaml:22:13: fees.feee_bps = 10: expected no key "feee_bps" here',
    ],
    [
      'an unknown timeframe',
      DEFAULT.replace('timeframe: 5m', 'timeframe: 7m'),
      'configs/x.yaml:4:12: timeframe = "7m": expected one of "1m"',
    ],
    [
      'a missing key',
      DEFAULT.replace('exchange: coinbase\n', ''),
      'configs/x.yaml:2:1: exchange = (missing): expected a string',
    ],
    [
      'an unknown sizing mode',
      DEFAULT.replace('mode: fixed_notional', 'mode: kelly'),
      'sizing.mode = "kelly": expected one of "fixed_notional", "equity_fraction"',
    ],
    [
      'a cross-field rule',
      DEFAULT.replace('fast: 12', 'fast: 40'),
      'strategy.params.fast = 40: expected fast must be smaller than slow',
    ],
    [
      'a non-integer period',
      DEFAULT.replace('atr_period: 14', 'atr_period: 2.5'),
      'strategy.params.atr_period = 2.5: expected an integer',
    ],
    [
      'an unknown strategy',
      DEFAULT.replace('id: ema_cross_atr', 'id: ema_crossatr'),
      'configs/x.yaml:8:7: strategy.id = "ema_crossatr": expected one of the built-ins (ema_cross_atr, sma_cross, rsi_reversion, model_classifier with a model), or a strategy.file of your own',
    ],
    [
      'a strategy file that does not exist',
      DEFAULT.replace('id: ema_cross_atr', 'file: ../strategies/nope.ts'),
      'strategy.file = "../strategies/nope.ts": expected a file exporting a strategy (cannot load strategy file',
    ],
    [
      "a parameter the file's strategy refuses",
      DEFAULT.replace('id: ema_cross_atr', 'file: ../strategies/bollinger_breakout.ts').replace(
        /params:[\s\S]*?allow_short: false\n/,
        'params: { period: 1 }\n',
      ),
      'configs/x.yaml:9:21: strategy.params.period = 1: expected a number >= 2 (strategy bollinger_breakout of',
    ],
    [
      'broken YAML',
      DEFAULT.replace('symbols: [BTC/USD]', 'symbols: [BTC/USD'),
      'configs/x.yaml:4:1: (top level) = (unparsable YAML)',
    ],
  ])('names file, line, key, value and expectation for %s', (_name, text, expected) => {
    expect(problems(text).join('\n')).toContain(expected);
  });

  it("takes market rules as decimals (exactly) or from the venue, and the venue's taker fee", () => {
    const base = 'exchange: binance\nsymbols: [BTC/USDT]\ntimeframe: 5m\nstrategy: {id: sma_cross}\n';
    const given = parseConfig(
      `${base}market_rules: { amount_step: 0.00001, min_amount: "0.00001", price_tick: 0.01, min_notional: 5 }\n`,
      'r.yaml',
    );
    if (!given.ok) throw new Error(JSON.stringify(given.error));
    expect(engineSpecOf(given.value).marketRules).toEqual({
      amountStep: '0.00001',
      minAmount: '0.00001',
      priceTick: '0.01',
      minNotional: '5',
    });
    expect(problems(`${base}market_rules: { amount_step: -1, price_tick: 0.01 }\n`)[0]).toContain(
      'market_rules',
    );
    const venue = parseConfig(`${base}market_rules: venue\nfees: market\n`, 'v.yaml');
    if (!venue.ok) throw new Error(JSON.stringify(venue.error));
    expect(venue.value.fees).toEqual({ fee_bps: 'market', slippage_bps: 0 });
    expect(usesVenueRules(venue.value)).toBe(true);
    // Nothing stated yet: the fee is not guessed.
    expect(() => engineSpecOf(venue.value)).toThrow("fees.fee_bps: market needs the venue's fee");
    const stated = withVenueStatement(
      venue.value,
      {
        rules: { amountStep: '0.00000001', minAmount: null, priceTick: '0.01', minNotional: '1' },
        fees: { maker: 0.006, taker: 0.012 },
      },
      'coinbase BTC/USD',
    );
    const spec = engineSpecOf(stated);
    expect(spec.costs.feeBps).toBe(120);
    expect(spec.marketRules).toEqual({
      amountStep: '0.00000001',
      minAmount: null,
      priceTick: '0.01',
      minNotional: '1',
    });
    expect(() =>
      withVenueStatement(venue.value, { rules: spec.marketRules!, fees: null }, 'x BTC/USDT'),
    ).toThrow('fees.fee_bps: market, but x BTC/USDT states no fee for the market');
  });

  it('applies the runbook environment overrides, naming them when they are wrong', () => {
    const result = parseConfig(DEFAULT, 'd.yaml', {
      SYMBOL: 'ETH_USD',
      TIMEFRAME: '1h',
      DATA_TAG: 'paper_local_check',
    });
    expect(result.ok && streamsOf(result.value)).toEqual([
      { exchange: 'coinbase', symbol: 'ETH/USD', timeframe: '1h', tag: 'paper_local_check' },
    ]);
    // The data paths' form is read by symbolPath's inverse: a swap's settle currency comes back.
    const swap = parseConfig(DEFAULT, 'd.yaml', { SYMBOL: 'BTC_USDT-USDT, ETH/USD' });
    expect(swap.ok && swap.value.symbols).toEqual(['BTC/USDT:USDT', 'ETH/USD']);
    expect(problems(DEFAULT, { SYMBOL: 'btc-usd' })).toEqual([
      'configs/x.yaml: symbols.0 = "btc-usd" (from environment variable SYMBOL): expected a unified symbol such as "BTC/USD"',
    ]);
  });

  it('loadConfig throws a config_invalid error listing every problem, and config_unreadable for a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjolnir-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, DEFAULT.replace('fast: 12', 'fast: 1').replace('capital: 10000', 'capital: -5'));
    try {
      loadConfig(file);
      expect.unreachable();
    } catch (error) {
      expect(hasErrorCode(error, 'config_invalid')).toBe(true);
      expect((error as Error).message).toContain(`${file}:10:11: strategy.params.fast = 1`);
      expect((error as Error).message).toContain('capital = -5: expected a number > 0');
    }
    expect(() => loadConfig(join(dir, 'absent.yaml'))).toThrow(/cannot read config/);
  });
});

describe('a strategy file named in a config', () => {
  it('is found relative to the config, keeps its id, and compiles with its own defaults', () => {
    const text = DEFAULT.replace('id: ema_cross_atr', 'file: ../strategies/bollinger_breakout.ts').replace(
      /params:[\s\S]*?allow_short: false\n/,
      'params: { period: 12 }\n',
    );
    const result = parseConfig(text, 'configs/x.yaml');
    if (!result.ok) throw new Error(result.error.map(formatProblem).join('\n'));
    const { strategy } = result.value;
    expect(strategy.id).toBe('bollinger_breakout');
    expect(strategy.file).toBe(join(process.cwd(), 'strategies/bollinger_breakout.ts'));
    const spec = engineSpecOf(result.value);
    expect(spec.strategy.id).toBe('bollinger_breakout');
    expect(spec.strategy.params).toEqual({ period: 12, width: 2, atr_period: 14, atr_mult: 2 });
    expect(describeSpec(spec).strategy).toEqual({ id: 'bollinger_breakout', params: spec.strategy.params });
  });
});

describe('compiling a config', () => {
  it('builds the engine spec and one stream per symbol', () => {
    const result = parseConfig(
      DEFAULT.replace('symbols: [BTC/USD]', 'symbols: [BTC/USD, ETH/USD]'),
      'd.yaml',
    );
    if (!result.ok) throw new Error('default config must parse');
    const spec = engineSpecOf(result.value);
    expect(spec.strategy.id).toBe('ema_cross_atr');
    expect(spec.timeframe.ms).toBe(300_000);
    expect(spec.risk.maxOrdersPerMinute).toBe(10);
    expect(streamsOf(result.value).map((s) => `${s.tag}/${symbolPath(s.symbol)}/${s.timeframe}`)).toEqual([
      'coinbase/BTC_USD/5m',
      'coinbase/ETH_USD/5m',
    ]);
  });

  it("files a simulator config's bars under the venue `sim`, never beside the real exchange's", () => {
    const sim = parseConfig(
      readFileSync(new URL('../../configs/sim.yaml', import.meta.url), 'utf8'),
      'sim.yaml',
    );
    if (!sim.ok) throw new Error('configs/sim.yaml must parse');
    expect(sim.value.exchange).toBe('binance');
    expect(streamsOf(sim.value)[0]).toMatchObject({ exchange: 'sim', tag: 'sim' });
    const real = parseConfig(DEFAULT, 'd.yaml');
    expect(real.ok && streamsOf(real.value)[0]!.exchange).toBe('coinbase');
  });

  it('sizes by a fixed quantity of the base asset ("buy 1 unit"), which must be positive', () => {
    const text = (quantity: string) =>
      DEFAULT.replace(
        /sizing:[\s\S]*?notional: 1000\n/,
        `sizing: { mode: fixed_quantity, quantity: ${quantity} }\n`,
      );
    const result = parseConfig(text('1'), 'q.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(engineSpecOf(result.value).sizing).toEqual({ mode: 'fixed_quantity', quantity: 1 });
    const zero = parseConfig(text('0'), 'q.yaml');
    expect(zero.ok ? null : zero.error[0]).toMatchObject({
      key: 'sizing.quantity',
      expected: 'a number > 0',
    });
  });

  it('turns absent limits into Infinity (no limit)', () => {
    const result = parseConfig(
      'exchange: binance\nsymbols: [BTC/USDT]\ntimeframe: 5m\nstrategy: {id: rsi_reversion}\n',
      'm.yaml',
    );
    if (!result.ok) throw new Error('must parse');
    expect(engineSpecOf(result.value).risk.maxPositionNotional).toBe(Number.POSITIVE_INFINITY);
  });
});
