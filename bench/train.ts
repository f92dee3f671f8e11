/**
 * Training and model inference, each against a baseline run in the same process:
 *  1. training throughput (rows x epochs a second) on the wasm backend vs the cpu backend, for the
 *     default network and a wider one (target: wasm >= 4x cpu);
 *  2. a model-strategy backtest over 1e6 bars (features, the batch-invariant predictor, the engine)
 *     vs ema_cross_atr over the same bars;
 *  3. the LIVE path: one bar through the engine with the model strategy (features + prediction +
 *     decision), p50/p99 against the paper loop's 50 ms decision budget.
 *
 *   make bench-train            (BENCH_BARS=2e5, TRAIN_ROWS=5000 for a quick run)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  barAt,
  createEngine,
  engineSpecOf,
  generateSeries,
  loadConfig,
  modelClassifier,
  modelFeatures,
  RUNNING,
  readModel,
  StepOutput,
  timeframe,
  tsMs,
} from '@mjolnir/lib';
import { evaluateParams } from '@mjolnir/lib/backtest';
import {
  buildDataset,
  DEFAULT_HYPERPARAMETERS,
  fitNetwork,
  inputsOf,
  type ModelHyperparameters,
  modelFiles,
  type Rows,
  saveModel,
  selectBackend,
  type TfModule,
} from '@mjolnir/lib/train';

const BARS = Number(process.env['BENCH_BARS'] ?? 1e6);
const TRAIN_ROWS = Number(process.env['TRAIN_ROWS'] ?? 20_000);
const say = (line: string) => process.stderr.write(`${line}\n`);
const tf5 = timeframe('5m');
const series = generateSeries(
  { seed: 1, timeframe: tf5, startTs: tsMs(Date.UTC(2015, 0, 1) + tf5.ms) },
  BARS,
);
const data = buildDataset(series, modelFeatures.create(), { horizon: 12, label: 'direction', barMs: tf5.ms });
const take = Math.min(TRAIN_ROWS, data.rows);
const rows: Rows = { x: data.x.subarray(0, take * 7), y: data.y.subarray(0, take), rows: take, features: 7 };

/** Rows x epochs a second over `epochs` epochs after one warm-up epoch (no early stop: patience > epochs). */
async function throughput(tf: TfModule, backend: string, hidden: number[], epochs: number): Promise<number> {
  await tf.setBackend(backend);
  const hp: ModelHyperparameters = {
    ...DEFAULT_HYPERPARAMETERS,
    hidden,
    epochs: 1,
    patience: 99,
    validationFraction: 0,
  };
  await fitNetwork(tf, rows, hp, 12);
  const began = performance.now();
  await fitNetwork(tf, rows, { ...hp, epochs }, 12);
  return (rows.rows * epochs) / ((performance.now() - began) / 1000);
}

async function training(tf: TfModule): Promise<void> {
  say(`1. training throughput, ${take.toLocaleString('en-US')} rows x 7 features, batch 256, Adam`);
  for (const [hidden, epochs] of [
    [[32, 16], 3],
    [[128, 128], 2],
  ] as [number[], number][]) {
    const wasm = await throughput(tf, 'wasm', hidden, epochs);
    const cpu = await throughput(tf, 'cpu', hidden, Math.max(1, epochs - 1));
    say(
      `   hidden [${hidden.join(', ')}]: wasm ${Math.round(wasm).toLocaleString('en-US')} rows/s, cpu ${Math.round(cpu).toLocaleString('en-US')} rows/s: wasm/cpu ${(wasm / cpu).toFixed(2)}x (target >= 4x)`,
    );
  }
  await tf.setBackend('wasm');
}

async function aModel(tf: TfModule): Promise<string> {
  const fit = await fitNetwork(tf, rows, { ...DEFAULT_HYPERPARAMETERS, epochs: 2 }, 12);
  const root = mkdtempSync(join(tmpdir(), 'mjolnir-bench-models-'));
  return saveModel(root, await modelFiles(tf, fit.model), inputsOf(fit.scaler, 12), {}).dir;
}

function backtests(dir: string): void {
  const config = loadConfig('configs/train-sim.yaml');
  const model = modelClassifier(readModel(dir));
  const window = { start: series.ts[2000]!, end: series.ts[BARS - 1]! };
  const run = (label: string, go: () => unknown) => {
    go();
    const began = performance.now();
    go();
    const ms = performance.now() - began;
    say(`   ${label}: ${(ms / 1000).toFixed(2)} s, ${((BARS - 2000) / ms / 1000).toFixed(2)}M bars/s`);
    return ms;
  };
  say(
    `2. backtest over ${(BARS - 2000).toLocaleString('en-US')} bars, engine and metrics (second of two runs)`,
  );
  const ema = run('ema_cross_atr', () =>
    evaluateParams({ ...config, strategy: { id: 'ema_cross_atr', params: {} } }, {}, series, window),
  );
  const withModel = run('model_classifier [32, 16]', () => evaluateParams(config, {}, series, window, model));
  say(`   model / ema_cross_atr: ${(withModel / ema).toFixed(1)}x the time`);
  const started = performance.now();
  const predictor = readModel(dir).predictor;
  const batch = predictor.predictBatch(data.x, data.rows);
  say(
    `   the predictor alone, a batch of ${data.rows.toLocaleString('en-US')} rows: ${(performance.now() - started).toFixed(0)} ms (${batch.length} predictions)`,
  );
}

function livePath(dir: string): void {
  const config = loadConfig('configs/train-sim.yaml');
  const spec = { ...engineSpecOf(config, modelClassifier(readModel(dir))) };
  const engine = createEngine(spec);
  const state = engine.init();
  const out = new StepOutput();
  const context = { ...RUNNING };
  const times: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const bar = barAt(series, i);
    const began = performance.now();
    engine.advance(state, bar, context, out);
    if (i >= 1000) times.push((performance.now() - began) * 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(1);
  say(
    `3. LIVE: one bar through the engine with the model strategy: p50 ${at(0.5)} us, p99 ${at(0.99)} us, max ${at(1)} us (budget p99 50 ms = 50000 us)`,
  );
}

const backend = await selectBackend('wasm');
say(`tfjs ${backend.version}, ${backend.detail}; ${BARS.toLocaleString('en-US')} synthetic 5m bars`);
await training(backend.tf);
const dir = await aModel(backend.tf);
backtests(dir);
livePath(dir);
