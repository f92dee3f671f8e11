import { createEngine, type EngineSpec } from '../../engine/index.js';
import { generateSeries, loadBar, mutableBar } from '../../market/index.js';
import { createStrategy } from '../../strategy/index.js';
import { timeframe, tsMs } from '../../time/index.js';
import { decisionRow } from '../decisions.js';
import type { DecisionRow } from '../schema.js';

const TF = timeframe('5m');

export const SPEC: EngineSpec = {
  timeframe: TF,
  strategy: createStrategy('ema_cross_atr', { fast: 3, slow: 8, atr_period: 5, allow_short: true }),
  fill: { model: 'close', stopThrough: false },
  costs: { feeBps: 10, slippageBps: 0 },
  sizing: { mode: 'fixed_notional', notional: 1000 },
  risk: {
    maxPositionNotional: Number.POSITIVE_INFINITY,
    maxOrderNotional: Number.POSITIVE_INFINITY,
    dailyLossLimit: Number.POSITIVE_INFINITY,
    maxOrdersPerMinute: Number.POSITIVE_INFINITY,
  },
  initialCapital: 10_000,
};

/**
 * The rows an engine run writes for `count` synthetic bars (every kind of decision and number); with
 * `equity`, a made-up equity curve that rises and falls (NaN otherwise). The engine's state carries from
 * bar to bar; a bar is withheld every `holeEvery` (bar_missing) and a row left out every 151 (gaps).
 */
export function engineRows(
  count: number,
  seed: number,
  options: { equity?: boolean; holeEvery?: number } = {},
): DecisionRow[] {
  const holeEvery = options.holeEvery ?? 97;
  const engine = createEngine(SPEC);
  const series = generateSeries({ seed, timeframe: TF, startTs: tsMs(Date.UTC(2024, 0, 1) + TF.ms) }, count);
  let state = engine.init();
  const stream = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' };
  const rows: DecisionRow[] = [];
  const bar = mutableBar();
  for (let i = 0; i < series.length; i++) {
    if (i % holeEvery === 13) continue; // a hole now and then: bar_missing and cadence_failed rows
    const step = engine.step(state, loadBar(series, i, bar), { killSwitch: false, flatten: false });
    state = step.state;
    for (const decision of step.decisions)
      rows.push(
        decisionRow(stream, decision, {
          equity:
            options.equity === true ? 10_000 + Math.round(Math.sin(i / 40) * 150 * 100) / 100 : Number.NaN,
          inputHash: i % 2 === 0 ? `h${i}` : '',
          features: `f=${i};g=${i / 3}`,
          strategy: 'ema_cross_atr',
          modelId: '0f1e2d3c4b5a6978',
          spec: 'abc123',
        }),
      );
  }
  // A row left out now and then: a journal with cadence gaps (a host that lost a slot).
  return rows.filter((_, i) => i % 151 !== 150);
}
