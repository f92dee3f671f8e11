import type { z } from 'zod';
import type { Bar } from '../market/index.js';

/** A strategy's indicator state: named indicators and plain numbers (see features.ts for snapshots). */
export type FeatureSet = object;

/** An entry signal: 1 long, -1 short, 0 none. */
export type Signal = -1 | 0 | 1;

/**
 * A strategy: a small object of pure functions over its indicator state. It declares its warmup,
 * entry and exit rules and its stop; the engine owns sequencing, fills, risk and bookkeeping.
 */
export interface Strategy<F extends FeatureSet = FeatureSet> extends StrategyRules<F> {
  /** The definition's id (built-in or defined with defineStrategy). */
  readonly id: string;
  /** The validated parameters, as given in config (defaults applied). */
  readonly params: StrategyParams;
  /** Fresh indicator state. */
  createFeatures(): F;
  /** The trained model the strategy trades (its content hash), written in every decision's `model_id`. */
  readonly modelId?: string;
}

/** Parameters a strategy takes: numbers and flags by name. */
export type StrategyParams = Readonly<Record<string, number | boolean>>;

/** The rules of a strategy over its features, what a `defineStrategy` rules() returns. */
export interface StrategyRules<F extends FeatureSet = FeatureSet> {
  /** Valid bars needed (the current one included) before `valid` can be true. */
  readonly warmupBars: number;
  /**
   * Warmup bars after which the features no longer depend on where the warmup began (smoothed
   * indicators have forgotten their seed): what a backtest feeds before its window, and checks.
   */
  readonly stableWarmupBars: number;
  /** Whether short entries are taken (otherwise a short signal only closes a long). */
  readonly allowShort: boolean;
  /** Advances the indicators with one closed, valid bar. The only function that mutates features. */
  update(features: F, bar: Bar): void;
  /** True when every value the rules read is finite and usable. */
  valid(features: F): boolean;
  /** Entry signal at this bar's close. */
  entry(features: F): Signal;
  /** True when an open long should be closed at this bar's close. */
  exitLong(features: F): boolean;
  /** True when an open short should be closed at this bar's close. */
  exitShort(features: F): boolean;
  /** Distance of the protective stop from the entry price (Infinity for no stop). */
  stopDistance(features: F, close: number): number;
  /** A tightened stop after this bar (never loosened by the engine); omit for a fixed stop. */
  trail?(features: F, side: 1 | -1, stop: number, bar: Bar): number;
  /** Named feature values for decision rows and notebooks (not used on hot paths). */
  describe(features: F): Record<string, number>;
}

/**
 * A named strategy with its parameter schema and constructor, made by `defineStrategy` (the built-ins
 * too): what the registry holds, a config's `strategy.file` exports, and hosts accept as an object.
 */
export interface StrategyDefinition {
  readonly id: string;
  readonly summary: string;
  /** Parses raw parameters, defaults applied (issues carry the parameter's path). */
  readonly params: z.ZodType<StrategyParams, unknown>;
  /** The strategy for raw parameters (validated: bad ones are an `input_invalid` error naming them). */
  create(rawParams?: unknown): Strategy;
  readonly [key: symbol]: unknown;
}

/** Identifiers of the built-in strategies. */
export type StrategyId = 'ema_cross_atr' | 'sma_cross' | 'rsi_reversion';
