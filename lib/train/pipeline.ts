import { evaluateParams, seriesHash } from '../backtest/index.js';
import type { Config, Stream } from '../config/index.js';
import { MjolnirError } from '../core/index.js';
import type { BarSeries } from '../market/index.js';
import {
  MODEL_CLASSIFIER_ID,
  MODEL_FEATURE_NAMES,
  MODEL_FEATURES_VERSION,
  type ModelInputs,
  modelClassifier,
  modelFeatures,
  type Scaler,
} from '../strategy/index.js';
import { timeframe } from '../time/index.js';
import { modelInMemory, saveModel } from './artifacts.js';
import type { Backend } from './backend.js';
import { buildDataset, type Dataset } from './dataset.js';
import { trainAll } from './fold-pool.js';
import type { FoldFit, FoldJob } from './fold-work.js';
import { type ClassifierScores, classifierScores } from './metrics.js';
import type { EpochLog, ModelHyperparameters } from './network.js';
import { type Fold, type Range, walkForward } from './walk-forward.js';

/** What to train: one stream's bars, the label horizon, the folds and the network. */
export interface TrainRequest {
  readonly series: BarSeries;
  readonly stream: Stream;
  /** The config the model strategy is scored under on the test folds (fees, sizing, its params). */
  readonly config: Config;
  readonly horizon: number;
  /** Walk-forward folds: window sizes in rows, purge and embargo the label's horizon in time. */
  readonly folds: { readonly train: number; readonly test: number; readonly anchored?: boolean };
  readonly hp: ModelHyperparameters;
  readonly backend: Backend;
  /** Worker threads for the folds (default all cores). */
  readonly threads?: number;
  /** The final model trains on rows whose labels close at or before this (default: every row). */
  readonly trainEnd?: number;
  /** Where `models/` is: the model is saved there when given. */
  readonly modelsDir?: string;
  readonly codeVersion?: string;
  readonly onEpoch?: (label: string, log: EpochLog) => void;
}

/** A window of rows as bar times: the first row's bar to the last label's bar. */
export interface TimeWindow {
  readonly start_ts: number;
  readonly end_ts: number;
  readonly rows: number;
}

/** How one fold's model did on its test window: as a classifier and as the strategy trading it. */
export interface FoldReport {
  readonly fold: number;
  readonly train: TimeWindow;
  readonly test: TimeWindow;
  readonly scores: ClassifierScores;
  readonly strategy: {
    totalReturn: number;
    sharpe: number;
    maxDrawdownFraction: number;
    trades: number;
  } | null;
  readonly epochs: number;
  readonly bestEpoch: number;
}

export interface TrainResult {
  readonly modelId: string;
  readonly dir: string | null;
  readonly folds: readonly FoldReport[];
  readonly final: {
    readonly train: TimeWindow;
    readonly bestEpoch: number;
    readonly history: readonly EpochLog[];
  };
  readonly dataset: Dataset;
  readonly manifest: Record<string, unknown>;
}

function windowOf(dataset: Dataset, range: Range): TimeWindow {
  return {
    start_ts: dataset.ts[range.start]!,
    end_ts: dataset.ts[range.end - 1]! + dataset.horizonMs,
    rows: range.end - range.start,
  };
}

function job(dataset: Dataset, range: Range, label: string, request: TrainRequest): FoldJob {
  const f = dataset.features.length;
  return {
    label,
    data: {
      x: dataset.x.slice(range.start * f, range.end * f),
      y: dataset.y.slice(range.start, range.end),
      rows: range.end - range.start,
      features: f,
    },
    hp: request.hp,
    purge: dataset.horizon,
    backend: request.backend.name,
  };
}

/** What the strategy needs of a trained network besides its weights. */
export function inputsOf(scaler: Scaler, horizon: number): ModelInputs {
  return {
    features: { version: MODEL_FEATURES_VERSION, names: [...MODEL_FEATURE_NAMES] },
    scaler,
    label: { kind: 'direction', horizon },
  };
}

/** The config a fold's model strategy is scored under: the config's own thresholds when it names the model strategy. */
function scoringConfig(config: Config): Config {
  const params = config.strategy.id === MODEL_CLASSIFIER_ID ? config.strategy.params : {};
  return { ...config, strategy: { id: MODEL_CLASSIFIER_ID, params } };
}

/** Scores a fold's model on its test rows, and the model strategy over the test window's bars. */
function reportFold(request: TrainRequest, dataset: Dataset, fold: Fold, fit: FoldFit): FoldReport {
  const model = modelInMemory(fit.files, inputsOf(fit.scaler, dataset.horizon));
  const f = dataset.features.length;
  const { start, end } = fold.test;
  const p = model.predictor.predictBatch(dataset.x.subarray(start * f, end * f), end - start);
  const scores = classifierScores(p, dataset.y.subarray(start, end), end - start);
  const window = { start: dataset.ts[start]!, end: dataset.ts[end - 1]! };
  const outcome = evaluateParams(
    scoringConfig(request.config),
    {},
    request.series,
    window,
    modelClassifier(model),
  );
  return {
    fold: fold.index,
    train: windowOf(dataset, fold.train),
    test: windowOf(dataset, fold.test),
    scores,
    strategy: outcome.ok
      ? {
          totalReturn: outcome.performance.totalReturn,
          sharpe: outcome.performance.sharpe,
          maxDrawdownFraction: outcome.performance.maxDrawdownFraction,
          trades: outcome.trades.trades,
        }
      : null,
    epochs: fit.history.length,
    bestEpoch: fit.bestEpoch,
  };
}

/** Rows of the final model: the last `train` rows whose labels close at or before `trainEnd`. */
function finalRange(dataset: Dataset, train: number, trainEnd: number | undefined): Range {
  let end = dataset.rows;
  if (trainEnd !== undefined) while (end > 0 && dataset.ts[end - 1]! + dataset.horizonMs > trainEnd) end--;
  if (end < 1) throw new MjolnirError('input_invalid', 'no rows end before the training end');
  return { start: Math.max(0, end - train), end };
}

/**
 * Walk-forward training: a dataset of the model features, a network per fold scored on its test
 * window (classifier and strategy), then the final network on the latest training window, saved as
 * `models/<model_id>/` with a manifest saying what it was trained on and how it scored.
 */
export async function trainModel(request: TrainRequest): Promise<TrainResult> {
  const barMs = timeframe(request.stream.timeframe).ms;
  const horizon = request.horizon;
  const dataset = buildDataset(request.series, modelFeatures.create(), {
    horizon,
    label: 'direction',
    barMs,
  });
  const reach = dataset.horizonMs;
  const folds = walkForward(dataset.ts, { ...request.folds, purgeMs: reach, embargoMs: reach });
  const final = finalRange(dataset, request.folds.train, request.trainEnd);
  const jobs = [
    ...folds.map((fold) => job(dataset, fold.train, `fold ${fold.index + 1}/${folds.length}`, request)),
  ];
  jobs.push(job(dataset, final, 'final', request));
  const fits = await trainAll(jobs, request.threads, request.onEpoch);
  const reports = folds.map((fold, i) => reportFold(request, dataset, fold, fits[i]!));
  const finalFit = fits.at(-1)!;
  const inputs = inputsOf(finalFit.scaler, horizon);
  const trainWindow = windowOf(dataset, final);
  const meta = {
    created_by: 'mjolnir train',
    code_version: request.codeVersion ?? 'unknown',
    backend: finalFit.backend,
    data: {
      exchange: request.stream.exchange,
      symbol: request.stream.symbol,
      timeframe: request.stream.timeframe,
      bars: request.series.length,
      start_ts: request.series.ts[0] ?? null,
      end_ts: request.series.ts[request.series.length - 1] ?? null,
      sha256: seriesHash(request.series),
    },
    dataset: { rows: dataset.rows, horizon_ms: dataset.horizonMs, dropped: dataset.dropped },
    train: trainWindow,
    folds: reports,
    hyperparameters: request.hp,
    epochs: finalFit.history.length,
    best_epoch: finalFit.bestEpoch,
    stopped_early: finalFit.stoppedEarly,
    history: finalFit.history,
  };
  const model = modelInMemory(finalFit.files, inputs, meta);
  const saved =
    request.modelsDir === undefined ? null : saveModel(request.modelsDir, finalFit.files, inputs, meta);
  return {
    modelId: model.id,
    dir: saved?.dir ?? null,
    folds: reports,
    final: { train: trainWindow, bestEpoch: finalFit.bestEpoch, history: finalFit.history },
    dataset,
    manifest: { model_id: model.id, ...model.manifest },
  };
}
