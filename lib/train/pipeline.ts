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
import type { Backend, BackendName } from './backend.js';
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
  /**
   * Trains the networks somewhere else (a queue): given each network's spec, their fits in the same
   * order. Default: worker threads here (`threads`).
   */
  readonly fit?: (specs: readonly FoldSpec[]) => Promise<FoldFit[]>;
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

/**
 * One network to train, as plain data: its rows of the dataset the training bars give (the same on
 * every machine that reads the same bars), the network and the tfjs backend. What a queue shard or a
 * Kubernetes index carries instead of the rows.
 */
export interface FoldSpec {
  readonly label: string;
  readonly range: Range;
  readonly horizon: number;
  readonly barMs: number;
  readonly hp: ModelHyperparameters;
  readonly backend: BackendName;
}

/** The dataset training reads from a series: the model features, the direction `horizon` bars ahead. */
export function trainingDataset(series: BarSeries, horizon: number, barMs: number): Dataset {
  return buildDataset(series, modelFeatures.create(), { horizon, label: 'direction', barMs });
}

/** The rows of one fold, ready for a thread: the same job wherever the dataset was built. */
export function foldJob(dataset: Dataset, spec: FoldSpec): FoldJob {
  const f = dataset.features.length;
  const { start, end } = spec.range;
  return {
    label: spec.label,
    data: {
      x: dataset.x.slice(start * f, end * f),
      y: dataset.y.slice(start, end),
      rows: end - start,
      features: f,
    },
    hp: spec.hp,
    purge: dataset.horizon,
    backend: spec.backend,
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
/** What a model's manifest says of how it was made: the code, the data and its hash, the folds, the fit. */
function modelMeta(
  request: TrainRequest,
  dataset: Dataset,
  trainWindow: ReturnType<typeof windowOf>,
  reports: readonly FoldReport[],
  finalFit: FoldFit,
) {
  return {
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
}

export async function trainModel(request: TrainRequest): Promise<TrainResult> {
  const barMs = timeframe(request.stream.timeframe).ms;
  const horizon = request.horizon;
  const dataset = trainingDataset(request.series, horizon, barMs);
  const reach = dataset.horizonMs;
  const folds = walkForward(dataset.ts, { ...request.folds, purgeMs: reach, embargoMs: reach });
  const final = finalRange(dataset, request.folds.train, request.trainEnd);
  const spec = (range: Range, label: string): FoldSpec => ({
    label,
    range,
    horizon,
    barMs,
    hp: request.hp,
    backend: request.backend.name,
  });
  const specs = [
    ...folds.map((fold) => spec(fold.train, `fold ${fold.index + 1}/${folds.length}`)),
    spec(final, 'final'),
  ];
  const fits = await (request.fit === undefined
    ? trainAll(
        specs.map((s) => foldJob(dataset, s)),
        request.threads,
        request.onEpoch,
      )
    : request.fit(specs));
  const reports = folds.map((fold, i) => reportFold(request, dataset, fold, fits[i]!));
  const finalFit = fits.at(-1)!;
  const inputs = inputsOf(finalFit.scaler, horizon);
  const trainWindow = windowOf(dataset, final);
  const meta = modelMeta(request, dataset, trainWindow, reports, finalFit);
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
