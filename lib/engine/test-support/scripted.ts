import type { Bar } from '../../market/index.js';
import type { RiskSpec } from '../../risk/index.js';
import { NO_RISK_LIMITS } from '../../risk/index.js';
import type { Signal, Strategy } from '../../strategy/index.js';
import type { TsMs } from '../../time/index.js';
import { timeframe } from '../../time/index.js';
import type { EngineSpec, FillSpec, SizingSpec } from '../spec.js';

/**
 * A test strategy whose signals are written into each bar's volume, so scenarios read plainly:
 * volume 1 = go long, 2 = go short, 3 = exit, anything else = nothing.
 */
export function scriptedStrategy(
  options: { warmup?: number; stopDistance?: number; allowShort?: boolean } = {},
) {
  const stop = options.stopDistance ?? 5;
  const strategy: Strategy<{ signal: number; bars: number }> = {
    id: 'ema_cross_atr',
    params: { scripted: true, stop },
    warmupBars: options.warmup ?? 2,
    stableWarmupBars: options.warmup ?? 2,
    allowShort: options.allowShort ?? true,
    createFeatures: () => ({ signal: 0, bars: 0 }),
    update(f, bar) {
      f.signal = bar.volume;
      f.bars++;
    },
    valid: () => true,
    entry: (f): Signal => (f.signal === 1 ? 1 : f.signal === 2 ? -1 : 0),
    exitLong: (f) => f.signal === 2 || f.signal === 3,
    exitShort: (f) => f.signal === 1 || f.signal === 3,
    stopDistance: () => stop,
    describe: (f) => ({ signal: f.signal }),
  };
  return strategy as unknown as Strategy;
}

export const TF = timeframe('5m');
export const T0 = 1_700_000_100_000 - (1_700_000_100_000 % TF.ms);

/** A spec around the scripted strategy: no fees unless asked, fixed notional 1000. */
export function scriptedSpec(
  overrides: {
    fill?: Partial<FillSpec>;
    feeBps?: number;
    slippageBps?: number;
    risk?: Partial<RiskSpec>;
    warmup?: number;
    stopDistance?: number;
    allowShort?: boolean;
    sizing?: SizingSpec;
  } = {},
): EngineSpec {
  return {
    timeframe: TF,
    strategy: scriptedStrategy(overrides),
    fill: { model: 'close', stopThrough: false, ...overrides.fill },
    costs: { feeBps: overrides.feeBps ?? 0, slippageBps: overrides.slippageBps ?? 0 },
    sizing: overrides.sizing ?? { mode: 'fixed_notional', notional: 1000 },
    risk: { ...NO_RISK_LIMITS, ...overrides.risk },
    initialCapital: 10_000,
  };
}

/** Bar `i` (close at T0 + i * 5m) with the given prices and script signal. */
export function bar(i: number, close: number, signal = 0, shape: Partial<Omit<Bar, 'ts'>> = {}): Bar {
  const open = shape.open ?? close;
  return {
    ts: (T0 + i * TF.ms) as TsMs,
    open,
    high: shape.high ?? Math.max(open, close) + 1,
    low: shape.low ?? Math.min(open, close) - 1,
    close,
    volume: signal,
  };
}
