import { MjolnirError } from '../core/index.js';
import type { EngineSpec } from '../engine/index.js';
import type { MarketFees, MarketRules } from '../market/index.js';
import type { StrategyDefinition } from '../strategy/index.js';
import { timeframe } from '../time/index.js';

import type { Config } from './schema.js';
import { definitionOf } from './strategy-ref.js';

export type { Config } from './schema.js';

/** A config's market_rules section as the engine's MarketRules. */
function marketRulesOf(section: Exclude<NonNullable<Config['market_rules']>, 'venue'>): MarketRules {
  return {
    amountStep: section.amount_step,
    minAmount: section.min_amount ?? null,
    priceTick: section.price_tick,
    minNotional: section.min_notional ?? null,
  };
}

/**
 * Whether a config trades under what its venue states for the market (its rules, or its taker fee with
 * `fee_bps: market`): read from the venue by the paper loop and backfill, stored in the lake.
 */
export function usesVenueRules(config: Config): boolean {
  return config.market_rules === 'venue' || config.fees.fee_bps === 'market';
}

/**
 * A config with what its venue states filled in where it asks for it: `market_rules: venue` becomes
 * the rules stated, `fee_bps: market` the taker fee (paper fills are market orders). Any other config
 * is returned as it is.
 */
export function withVenueStatement(
  config: Config,
  stated: { readonly rules: MarketRules; readonly fees: MarketFees | null },
  where: string,
): Config {
  let out = config;
  if (config.market_rules === 'venue') {
    const { amountStep, minAmount, priceTick, minNotional } = stated.rules;
    out = {
      ...out,
      market_rules: {
        amount_step: amountStep,
        price_tick: priceTick,
        ...(minAmount === null ? {} : { min_amount: minAmount }),
        ...(minNotional === null ? {} : { min_notional: minNotional }),
      },
    };
  }
  if (config.fees.fee_bps === 'market') {
    if (stated.fees === null)
      throw new MjolnirError(
        'config_invalid',
        `fees.fee_bps: market, but ${where} states no fee for the market`,
      );
    out = { ...out, fees: { ...out.fees, fee_bps: Number((stated.fees.taker * 10_000).toPrecision(12)) } };
  }
  return out;
}

/** A config's strategy and sizing as a spec before its venue was asked (`fee_bps: market` as 0): for what does not trade. */
export function previewSpecOf(config: Config, definition?: StrategyDefinition): EngineSpec {
  const fees = config.fees.fee_bps === 'market' ? { ...config.fees, fee_bps: 0 } : config.fees;
  return engineSpecOf({ ...config, fees }, definition);
}

/** The fee rate in bps; `market` must have been replaced by the venue's first (withVenueStatement). */
function feeBpsOf(config: Config): number {
  const bps = config.fees.fee_bps;
  if (bps === 'market')
    throw new MjolnirError(
      'input_invalid',
      "fees.fee_bps: market needs the venue's fee for the market: the paper loop and backfill read and store it",
    );
  return bps;
}

/** One (exchange, symbol, timeframe) the config trades, with its storage tag. */
export interface Stream {
  /** The venue: the exchange id, or `sim` for the simulator (see venueOf). */
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: Config['timeframe'];
  /** Namespace of its decisions and trades (docs/contracts.md: defaults to the exchange id). */
  readonly tag: string;
}

/** The streams a config describes, one per symbol. */
export function streamsOf(config: Config): Stream[] {
  const venue = venueOf(config);
  return config.symbols.map((symbol) => ({
    exchange: venue,
    symbol,
    timeframe: config.timeframe,
    tag: config.data_tag ?? venue,
  }));
}

/** Venue name of the simulated exchange in the lake and journals. */
export const SIMULATOR_VENUE = 'sim';

/**
 * Where a config's bars and decisions are filed: the exchange id, or `sim` when the config points at
 * the simulator. The simulator speaks Binance's API but its bars are not Binance's: they must never
 * land in `raw/binance/...` beside real ones.
 */
export function venueOf(config: Config): string {
  return config.simulator === undefined ? config.exchange : SIMULATOR_VENUE;
}

const orInfinity = (value: number | null): number => value ?? Number.POSITIVE_INFINITY;

/**
 * The engine spec a config describes (the same for every stream of the config). The strategy is the
 * config's (a built-in or its file's), or `definition` when one is passed as an object (a notebook's).
 */
export function engineSpecOf(config: Config, definition?: StrategyDefinition): EngineSpec {
  return {
    timeframe: timeframe(config.timeframe),
    strategy: (definition ?? definitionOf(config.strategy)).create(config.strategy.params),
    fill: { model: config.fill.model, stopThrough: config.fill.stop_through },
    costs: { feeBps: feeBpsOf(config), slippageBps: config.fees.slippage_bps },
    sizing: config.sizing,
    risk: {
      maxPositionNotional: orInfinity(config.risk.max_position_notional),
      maxOrderNotional: orInfinity(config.risk.max_order_notional),
      dailyLossLimit: orInfinity(config.risk.daily_loss_limit),
      maxOrdersPerMinute: orInfinity(config.risk.max_orders_per_minute),
    },
    initialCapital: config.capital,
    // `venue`: the rules the venue states, filled in by the host that read or stored them (withVenueStatement).
    ...(config.market_rules === undefined || config.market_rules === 'venue'
      ? {}
      : { marketRules: marketRulesOf(config.market_rules) }),
  };
}

/** Base URL of the simulated exchange the config points at, if any. */
export function simulatorUrl(config: Config): string | undefined {
  return config.simulator === undefined
    ? undefined
    : `http://${config.simulator.host}:${config.simulator.port}`;
}
