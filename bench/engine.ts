/**
 * Engine throughput: the real engine with the default strategy over in-memory bars, both ways hosts
 * call it (`decide` over runs of bars, as the backtest does; `advance` bar by bar, as LIVE does),
 * against a hand-fused loop that computes the same indicators and rules inline, in the same process.
 * All must produce the same action and reason for every bar and the same final PnL, or the comparison
 * is meaningless and the benchmark fails. The ratio target is the backtest's path, `decide`.
 *
 *   make bench            (BENCH_BARS=1e6 for a quick run)
 */
import { performance } from 'node:perf_hooks';
import {
  ACTION_CODE,
  type BarSeries,
  createEngine,
  engineSpecOf,
  generateSeries,
  loadBar,
  loadConfig,
  mutableBar,
  REASON_CODE,
  RUNNING,
  StepLog,
  StepOutput,
  timeframe,
  tsMs,
} from '@mjolnir/lib';

const BARS = Number(process.env['BENCH_BARS'] ?? 1e7);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 7);
/** Untimed rounds first, so both loops are measured in their optimised steady state. */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2);
const TARGET_RATE = 10e6;
const TARGET_RATIO = 0.3;

interface Outcome {
  readonly actions: Uint8Array;
  readonly reasons: Uint8Array;
  readonly trades: number;
  readonly pnl: number;
}

const config = loadConfig('configs/default.yaml');
const params = config.strategy.params;
if (
  config.strategy.id !== 'ema_cross_atr' ||
  config.fill.model !== 'close' ||
  params['trailing'] ||
  params['allow_short']
) {
  throw new Error(
    'the fused baseline implements the default config: ema_cross_atr, long only, close fills, fixed stop',
  );
}
if (config.fees.slippage_bps !== 0 || config.sizing.mode !== 'fixed_notional') {
  throw new Error('the fused baseline implements the default config: no slippage, fixed notional sizing');
}
const spec = engineSpecOf(config);

function runEngine(series: BarSeries): Outcome {
  const engine = createEngine(spec);
  const state = engine.init();
  const out = new StepOutput();
  const bar = mutableBar();
  const actions = new Uint8Array(series.length);
  const reasons = new Uint8Array(series.length);
  let trades = 0;
  for (let i = 0; i < series.length; i++) {
    engine.advance(state, loadBar(series, i, bar), RUNNING, out);
    actions[i] = out.action;
    reasons[i] = out.reason;
    if (out.events.length > 0) for (const e of out.events) if (e.kind === 'close') trades++;
  }
  return { actions, reasons, trades, pnl: state.account.realizedPnl };
}

/** Runs of bars as the backtest feeds them (`decide`, 4096 bars a run). */
function runDecide(series: BarSeries): Outcome {
  const engine = createEngine(spec);
  const state = engine.init();
  const log = new StepLog(4096);
  const actions = new Uint8Array(series.length);
  const reasons = new Uint8Array(series.length);
  let trades = 0;
  for (let from = 0; from < series.length; from += log.capacity) {
    engine.decide(state, series, from, Math.min(series.length, from + log.capacity), RUNNING, log);
    for (let r = 0; r < log.count; r++) {
      actions[from + r] = log.actionAt(r);
      reasons[from + r] = log.reasonAt(r);
    }
    for (const e of log.events) if (e.kind === 'close') trades++;
  }
  return { actions, reasons, trades, pnl: state.account.realizedPnl };
}

/** The same computation written as one loop over the arrays: what a careful hand-written kernel costs. */
function runFused(series: BarSeries): Outcome {
  const p = spec.strategy.params as { fast: number; slow: number; atr_period: number; atr_mult: number };
  const { ts, open, high, low, close, volume } = series;
  const n = series.length;
  const actions = new Uint8Array(n);
  const reasons = new Uint8Array(n);
  const kFast = 2 / (p.fast + 1);
  const kSlow = 2 / (p.slow + 1);
  const atrN = p.atr_period;
  const warmup = Math.max(p.slow + 1, atrN + 1);
  const feeRate = spec.costs.feeBps / 10_000;
  const notional = spec.sizing.mode === 'fixed_notional' ? spec.sizing.notional : Number.NaN;
  const { maxOrderNotional, maxPositionNotional, dailyLossLimit } = spec.risk;
  const SKIP = ACTION_CODE.skip;
  const HOLD = ACTION_CODE.hold;
  const ENTER = ACTION_CODE.enter_long;
  const EXIT = ACTION_CODE.exit_long;
  const R = REASON_CODE;

  let count = 0;
  let fastSeed = 0;
  let slowSeed = 0;
  let fast = Number.NaN;
  let slow = Number.NaN;
  let atr = Number.NaN;
  let atrSeed = 0;
  let previousClose = Number.NaN;
  let spread = Number.NaN;
  let previousSpread = Number.NaN;
  let afterGap = false;
  let inPosition = false;
  let qty = 0;
  let entryPrice = 0;
  let entryFee = 0;
  let stop = Number.NaN;
  let pnl = 0;
  let dayStart = Number.NaN;
  let dayPnl = 0;
  let trades = 0;

  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const v = volume[i]!;
    let action: number = HOLD;
    let reason: number = R.no_signal;
    if (
      !(
        l > 0 &&
        h < Number.POSITIVE_INFINITY &&
        h >= l &&
        o >= l &&
        o <= h &&
        c >= l &&
        c <= h &&
        v >= 0 &&
        v < Number.POSITIVE_INFINITY
      )
    ) {
      afterGap = true;
      actions[i] = SKIP;
      reasons[i] = R.bar_invalid;
      continue;
    }
    if (!(t >= dayStart && t < dayStart + 86_400_000)) {
      dayStart = t - (t % 86_400_000);
      dayPnl = 0;
    }
    let stopped = false;
    if (inPosition && l <= stop) {
      const fee = stop * qty * feeRate;
      const trade = (stop - entryPrice) * qty - (entryFee + fee);
      pnl += trade;
      dayPnl += trade;
      inPosition = false;
      stopped = true;
      trades++;
    }
    count++;
    if (count > p.fast) fast = (c - fast) * kFast + fast;
    else {
      fastSeed += c;
      if (count === p.fast) fast = fastSeed / p.fast;
    }
    if (count > p.slow) slow = (c - slow) * kSlow + slow;
    else {
      slowSeed += c;
      if (count === p.slow) slow = slowSeed / p.slow;
    }
    if (count > 1) {
      let range = h - l;
      const up = Math.abs(previousClose - h);
      const down = Math.abs(previousClose - l);
      if (up > range) range = up;
      if (down > range) range = down;
      if (count <= atrN + 1) {
        atrSeed += range;
        if (count === atrN + 1) atr = atrSeed / atrN;
      } else atr = (atr * (atrN - 1) + range) / atrN;
    }
    previousClose = c;
    previousSpread = spread;
    spread = fast - slow;
    const gap = afterGap;
    afterGap = false;
    if (stopped) {
      action = EXIT;
      reason = R.stop_hit;
    } else if (count < warmup) {
      action = SKIP;
      reason = R.not_enough_bars;
    } else if (!(Number.isFinite(spread) && Number.isFinite(previousSpread) && atr > 0)) {
      action = SKIP;
      reason = R.features_invalid;
    } else if (gap) {
      action = SKIP;
      reason = R.cadence_failed;
    } else if (inPosition) {
      if (spread < 0) {
        const fee = c * qty * feeRate;
        const trade = (c - entryPrice) * qty - (entryFee + fee);
        pnl += trade;
        dayPnl += trade;
        inPosition = false;
        trades++;
        action = EXIT;
        reason = R.exit_signal;
      } else {
        action = HOLD;
        reason = R.in_position;
      }
    } else if (previousSpread <= 0 && spread > 0) {
      const size = notional / c;
      const orderNotional = size * c;
      if (dayPnl <= -dailyLossLimit) {
        action = HOLD;
        reason = R.risk_daily_loss;
      } else if (!(orderNotional <= maxOrderNotional)) {
        action = HOLD;
        reason = R.risk_max_order;
      } else if (!(orderNotional <= maxPositionNotional)) {
        action = HOLD;
        reason = R.risk_max_position;
      } else {
        inPosition = true;
        qty = size;
        entryPrice = c;
        entryFee = c * qty * feeRate;
        stop = c - p.atr_mult * atr;
        action = ENTER;
        reason = R.entry_signal;
      }
    } else {
      action = HOLD;
      reason = R.no_signal;
    }
    actions[i] = action;
    reasons[i] = reason;
  }
  return { actions, reasons, trades, pnl };
}

interface Timing {
  outcome: Outcome | undefined;
  readonly millis: number[];
}

function timeOnce(timing: Timing, fn: () => Outcome): void {
  const started = performance.now();
  timing.outcome = fn();
  timing.millis.push(performance.now() - started);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rate = (ms: number) => BARS / (ms / 1000);
const fmt = (bars: number) => `${(bars / 1e6).toFixed(1)}M bars/s`;

process.stderr.write(`generating ${BARS.toLocaleString('en-US')} synthetic bars...\n`);
const series = generateSeries(
  { seed: 7, timeframe: timeframe(config.timeframe), startTs: tsMs(1_704_067_500_000) },
  BARS,
);

// decide and fused interleaved, so drift on a shared machine hits both alike.
const batch: Timing = { outcome: undefined, millis: [] };
const engine: Timing = { outcome: undefined, millis: [] };
const fused: Timing = { outcome: undefined, millis: [] };
// decide against fused first, then advance, so neither path's warm-up disturbs the other's timings.
for (let r = 0; r < WARMUP + REPEATS; r++) {
  timeOnce(batch, () => runDecide(series));
  timeOnce(fused, () => runFused(series));
}
for (let r = 0; r < WARMUP + REPEATS; r++) timeOnce(engine, () => runEngine(series));
for (const timing of [batch, engine, fused]) timing.millis.splice(0, WARMUP);
process.stderr.write(`  decide:  ${batch.millis.map((m) => m.toFixed(0)).join(', ')} ms\n`);
process.stderr.write(`  advance: ${engine.millis.map((m) => m.toFixed(0)).join(', ')} ms\n`);
process.stderr.write(`  fused:   ${fused.millis.map((m) => m.toFixed(0)).join(', ')} ms\n`);
const fusedOutcome = fused.outcome!;

/** The first bar where `a` and the fused loop differ, or -1; and whether PnL and trades match. */
function agreement(a: Outcome): { first: number; samePnl: boolean } {
  let first = -1;
  for (let i = 0; i < BARS && first < 0; i++) {
    if (a.actions[i] !== fusedOutcome.actions[i] || a.reasons[i] !== fusedOutcome.reasons[i]) first = i;
  }
  return { first, samePnl: a.pnl === fusedOutcome.pnl && a.trades === fusedOutcome.trades };
}
const checks = [agreement(batch.outcome!), agreement(engine.outcome!)];
const fusedRate = rate(median(fused.millis));
const batchRate = rate(median(batch.millis));
const engineRate = rate(median(engine.millis));
// The ratio of each round's two timings, taken one right after the other, then their median: a shared
// machine's slow spells hit both timings of a round alike, where the ratio of two medians mixes spells.
const ratio = median(batch.millis.map((ms, r) => fused.millis[r]! / ms));
const agreed = checks.every((c) => c.first < 0 && c.samePnl);
const outcome = engine.outcome!;

const report = [
  `engine benchmark: ${BARS.toLocaleString('en-US')} bars, ${spec.strategy.id} (configs/default.yaml), node ${process.version}, median of ${REPEATS} after ${WARMUP} warm-up rounds`,
  `  engine, decide (runs of bars)  ${median(batch.millis).toFixed(0).padStart(6)} ms  ${fmt(batchRate)}  ratio ${(batchRate / fusedRate).toFixed(2)}`,
  `  engine, advance (bar by bar)   ${median(engine.millis).toFixed(0).padStart(6)} ms  ${fmt(engineRate)}  ratio ${(engineRate / fusedRate).toFixed(2)}`,
  `  hand-fused loop                ${median(fused.millis).toFixed(0).padStart(6)} ms  ${fmt(fusedRate)}`,
  `  ratio decide / fused           ${ratio.toFixed(2)}  (median of the rounds' ratios ${batch.millis.map((ms, r) => (fused.millis[r]! / ms).toFixed(2)).join(', ')}; target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'})`,
  `  engine throughput              ${fmt(batchRate)}  (target >= ${fmt(TARGET_RATE)}: ${batchRate >= TARGET_RATE ? 'MET' : 'MISSED'})`,
  `  agreement                      ${agreed ? 'every action and reason identical' : `FIRST DIFFERENCE at bar ${checks.map((c) => c.first).join(' / ')}`}; ` +
    `${outcome.trades} trades, PnL ${outcome.pnl.toFixed(6)} ${agreed ? '(identical)' : `vs ${fusedOutcome.pnl.toFixed(6)} (DIFFERENT)`}`,
];
process.stdout.write(`${report.join('\n')}\n`);
if (!agreed) process.exitCode = 1;
