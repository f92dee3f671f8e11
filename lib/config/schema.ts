import { z } from 'zod';
import { decimalText } from '../market/index.js';
import {
  isStrategyId,
  MODEL_CLASSIFIER_ID,
  modelClassifierParams,
  STRATEGIES,
  STRATEGY_ID_PATTERN,
} from '../strategy/index.js';
import { TIMEFRAMES } from '../time/index.js';

const positive = z.number().positive();
/** A limit: a positive number, or null / absent for "no limit". */
const limit = positive.nullable().default(null);

/** A positive decimal as text or a number ("0.00001", 5): kept as text, exactly. */
const decimal = z
  .union([z.string().regex(/^\d+(\.\d+)?$/, 'a decimal such as 0.00001'), z.number().positive()])
  .transform((value) => (typeof value === 'number' ? decimalText(value) : value))
  .refine((value) => Number(value) > 0, 'above 0');

/** Unified ccxt symbol: BASE/QUOTE, optionally :SETTLE. */
export const SYMBOL_PATTERN = /^[A-Z0-9]{2,15}\/[A-Z0-9]{2,15}(:[A-Z0-9]{2,15})?$/;

const builtins = Object.keys(STRATEGIES).join(', ');

/** The schema of configs/*.yaml. Unknown keys are errors, so a typo never silently falls back to a default. */
export const configSchema = z
  .strictObject({
    exchange: z.string().regex(/^[a-z][a-z0-9]*$/, 'a ccxt exchange id such as "coinbase" or "binance"'),
    symbols: z
      .array(z.string().regex(SYMBOL_PATTERN, 'a unified symbol such as "BTC/USD"'))
      .min(1)
      .refine((s) => new Set(s).size === s.length, 'symbols must not repeat'),
    timeframe: z.enum(TIMEFRAMES),
    data_tag: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." or "-"')
      .optional(),
    /** A built-in by `id`, or a file of one's own (`file`, relative to the config; `id` picks one of several). */
    strategy: z.strictObject({
      id: z.string().regex(STRATEGY_ID_PATTERN, 'a strategy id (lower case letters, digits, "_")').optional(),
      file: z.string().min(1).optional(),
      /** A trained model (`model_classifier`): its id under the models directory, or a path to its folder. */
      model: z.string().min(1).optional(),
      params: z.record(z.string(), z.union([z.number(), z.boolean()])).default({}),
    }),
    fill: z
      .strictObject({
        model: z.enum(['close', 'next_open']).default('close'),
        stop_through: z.boolean().default(false),
      })
      .default({ model: 'close', stop_through: false }),
    /** `fees: market` is `fees: { fee_bps: market }` (no slippage). */
    fees: z.preprocess(
      (value) => (value === 'market' ? { fee_bps: 'market' } : value),
      z
        .strictObject({
          /** `market`: the venue's taker fee for the market, read with its rules (paper fills are market orders). */
          fee_bps: z.union([z.number().min(0).max(1000), z.literal('market')]).default(10),
          slippage_bps: z.number().min(0).max(1000).default(0),
        })
        .default({ fee_bps: 10, slippage_bps: 0 }),
    ),
    sizing: z
      .discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('fixed_notional'), notional: positive }),
        z.strictObject({ mode: z.literal('equity_fraction'), fraction: z.number().gt(0).max(1) }),
        z.strictObject({ mode: z.literal('fixed_quantity'), quantity: positive }),
      ])
      .default({ mode: 'fixed_notional', notional: 1000 }),
    capital: positive.default(10_000),
    /**
     * The market's order rules the engine applies (amount step and minimum, price tick, minimum
     * notional): `venue`, as the venue states them (read by the paper loop and backfill through
     * ccxt, stored in the lake with the time they were read), or given as decimals. Absent: orders as
     * sized, to any fraction.
     */
    market_rules: z
      .union([
        z.literal('venue'),
        z.strictObject({
          amount_step: decimal,
          min_amount: decimal.optional(),
          price_tick: decimal,
          min_notional: decimal.optional(),
        }),
      ])
      .optional(),
    /** Point the exchange's API at the simulated exchange on loopback (configs/sim.yaml). */
    simulator: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(1).max(65_535).default(8765),
        /** The simulator's speed factor (SIM_SPEED), so the loop can tell simulated time between polls. */
        speed: z.number().positive().default(300),
      })
      .optional(),
    /** The LIVE paper loop. */
    paper: z
      .strictObject({
        /** Pause between polls; default: a twentieth of the timeframe, within [250 ms, 30 s]. */
        poll_ms: z.number().int().positive().optional(),
        /** Bars fetched on a first start to warm the strategy up (at least its declared warmup). */
        history_bars: z.number().int().min(2).max(100_000).default(500),
        /** Anchor the warmup at this bar close (epoch ms), making a first start reproducible. */
        warmup_from: z.number().int().optional(),
        /** Record `fetch_failed` for a bar only once fetching has failed for this many bars past its close. */
        fetch_grace_bars: z.number().int().min(0).max(1000).default(2),
      })
      .default({ history_bars: 500, fetch_grace_bars: 2 }),
    /** Training a model (`mjolnir train`): label, walk-forward folds, network (see lib/train). */
    train: z
      .strictObject({
        /** The label: does the close `horizon` bars on end higher. */
        horizon: z.number().int().min(1).max(10_000).default(12),
        /** Rows per training window and per test window of the walk-forward folds. */
        train_rows: z.number().int().min(100).default(4000),
        test_rows: z.number().int().min(10).default(1000),
        anchored: z.boolean().default(false),
        /** The final model trains on rows whose labels close by then (epoch ms; default all rows). */
        train_end: z.number().int().optional(),
        hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([32, 16]),
        learning_rate: z.number().positive().max(1).default(0.001),
        epochs: z.number().int().min(1).max(10_000).default(30),
        batch_size: z.number().int().min(1).max(65_536).default(256),
        patience: z.number().int().min(1).default(5),
        validation_fraction: z.number().min(0).max(0.5).default(0.2),
        seed: z
          .number()
          .int()
          .refine((s) => s !== 0, 'a nonzero seed (tfjs takes 0 as unseeded)')
          .default(42),
      })
      .optional(),
    /** How market data is fetched. */
    fetch: z
      .strictObject({
        timeout_ms: z.number().int().positive().default(10_000),
        attempts: z.number().int().min(1).max(20).default(5),
      })
      .default({ timeout_ms: 10_000, attempts: 5 }),
    risk: z
      .strictObject({
        max_position_notional: limit,
        max_order_notional: limit,
        daily_loss_limit: limit,
        max_orders_per_minute: z.number().int().positive().nullable().default(null),
      })
      .default({
        max_position_notional: null,
        max_order_notional: null,
        daily_loss_limit: null,
        max_orders_per_minute: null,
      }),
  })
  .superRefine((config, context) => {
    // A file's strategy is loaded and its parameters checked once the config is known (parseConfig).
    const { id, file, model } = config.strategy;
    if (file !== undefined) return;
    const isModel = id === MODEL_CLASSIFIER_ID;
    // A training config names the model strategy without a model: training makes one.
    if ((model === undefined) === isModel && !(isModel && config.train !== undefined)) {
      const message = isModel
        ? `a model id (${MODEL_CLASSIFIER_ID} trades one)`
        : `no model (only ${MODEL_CLASSIFIER_ID} takes one)`;
      context.addIssue({ code: 'custom', path: ['strategy', 'model'], message });
      return;
    }
    if (id === undefined || !(isModel || isStrategyId(id))) {
      const expected = `one of the built-ins (${builtins}, ${MODEL_CLASSIFIER_ID} with a model), or a strategy.file of your own`;
      context.addIssue({ code: 'custom', path: ['strategy', 'id'], message: expected });
      return;
    }
    // Strategy parameters are validated by the strategy's own schema, reported under strategy.params.
    const definition = isModel ? { params: modelClassifierParams } : STRATEGIES[id];
    const parsed = definition.params.safeParse(config.strategy.params);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      context.addIssue({ ...issue, path: ['strategy', 'params', ...issue.path] } as never);
    }
  });

/** Which strategy a config runs: a built-in `id`, or the (absolute) `file` it was loaded from and its id. */
export interface StrategyRef {
  readonly id: string;
  readonly file?: string;
  /** A model strategy's model: its id and folder (absolute). */
  readonly model?: { readonly id: string; readonly dir: string };
  readonly params: Record<string, number | boolean>;
}

/** A validated config (the strategy resolved: its id known, a file's path absolute). */
export type Config = Omit<z.infer<typeof configSchema>, 'strategy'> & { readonly strategy: StrategyRef };
