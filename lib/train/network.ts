import type * as Tf from '@tensorflow/tfjs';
import { MjolnirError } from '../core/index.js';
import type { Scaler } from '../strategy/index.js';
import type { TfModule } from './backend.js';
import { seededPermutation } from './random.js';

/** The network and how it is trained. */
export interface ModelHyperparameters {
  /** Units of each hidden layer (ReLU); the output is one sigmoid unit. */
  readonly hidden: readonly number[];
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Epochs without a better validation loss before training stops (the best weights are kept). */
  readonly patience: number;
  /** The last fraction of a training window held out (after a purge) to stop on. */
  readonly validationFraction: number;
  /** Nonzero: initialisers and shuffles derive from it (tfjs takes seed 0 as unseeded). */
  readonly seed: number;
}

export const DEFAULT_HYPERPARAMETERS: ModelHyperparameters = {
  hidden: [32, 16],
  learningRate: 0.001,
  epochs: 30,
  batchSize: 256,
  patience: 5,
  validationFraction: 0.2,
  seed: 42,
};

/** Rows of inputs (row-major) and 0/1 labels. */
export interface Rows {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  readonly features: number;
}

/** One epoch's figures, as the progress line and the manifest show them. */
export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
}

export interface FitResult {
  readonly model: Tf.LayersModel;
  readonly scaler: Scaler;
  readonly history: readonly EpochLog[];
  /** The epoch whose weights were kept (1-based). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
}

/** Mean and standard deviation per feature over the rows (a constant feature gets std 1). */
export function fitScaler(data: Rows): Scaler {
  const { x, rows, features } = data;
  const mean = new Array<number>(features).fill(0);
  const std = new Array<number>(features).fill(0);
  for (let r = 0; r < rows; r++) for (let f = 0; f < features; f++) mean[f]! += x[r * features + f]!;
  for (let f = 0; f < features; f++) mean[f] = mean[f]! / rows;
  for (let r = 0; r < rows; r++)
    for (let f = 0; f < features; f++) std[f]! += (x[r * features + f]! - mean[f]!) ** 2;
  for (let f = 0; f < features; f++) std[f] = Math.sqrt(std[f]! / rows) || 1;
  return { mean, std };
}

/** The rows standardised by `scaler`, as the network sees them. */
export function scaleRows(data: Rows, scaler: Scaler): Float32Array {
  const out = new Float32Array(data.x.length);
  for (let i = 0; i < out.length; i++) {
    const f = i % data.features;
    out[i] = (data.x[i]! - scaler.mean[f]!) / scaler.std[f]!;
  }
  return out;
}

/** A dense classifier with seeded initialisers: the same seed, the same starting weights. */
export function buildNetwork(tf: TfModule, inputs: number, hp: ModelHyperparameters): Tf.Sequential {
  if (!Number.isInteger(hp.seed) || hp.seed === 0)
    throw new MjolnirError(
      'input_invalid',
      `seed must be a nonzero integer (tfjs takes 0 as unseeded), got ${hp.seed}`,
    );
  // Named here, not by tfjs's process-wide counters: the same network has the same model.json (and
  // id) whichever thread or how many models before it trained it.
  const model = tf.sequential({ name: 'mjolnir_classifier' });
  const units = [...hp.hidden, 1];
  units.forEach((n, i) => {
    model.add(
      tf.layers.dense({
        name: i === units.length - 1 ? 'output' : `hidden_${i + 1}`,
        units: n,
        activation: i === units.length - 1 ? 'sigmoid' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: hp.seed * 1000 + i + 1 }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [inputs] } : {}),
      }),
    );
  });
  model.compile({
    optimizer: tf.train.adam(hp.learningRate),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

function gather(
  x: Float32Array,
  y: Float32Array,
  features: number,
  order: Uint32Array,
): [Float32Array, Float32Array] {
  const xs = new Float32Array(order.length * features);
  const ys = new Float32Array(order.length);
  order.forEach((row, i) => {
    xs.set(x.subarray(row * features, (row + 1) * features), i * features);
    ys[i] = y[row]!;
  });
  return [xs, ys];
}

/** Validation loss and accuracy of the model on rows (already scaled). */
function evaluate(
  tf: TfModule,
  model: Tf.LayersModel,
  x: Float32Array,
  y: Float32Array,
  n: number,
  f: number,
) {
  return tf.tidy(() => {
    const [loss, accuracy] = model.evaluate(tf.tensor2d(x, [n, f]), tf.tensor2d(y, [n, 1]), {
      batchSize: 4096,
    }) as Tf.Scalar[];
    return [loss!.dataSync()[0]!, accuracy!.dataSync()[0]!] as const;
  });
}

/**
 * Trains a network on rows in time order: the scaler from the training part only, the last
 * `validationFraction` of the rows held out after `purge` rows (their labels reach into it) to stop
 * early on, each epoch's batches in a seeded order (deterministic on wasm and cpu for a seed).
 */
export async function fitNetwork(
  tf: TfModule,
  data: Rows,
  hp: ModelHyperparameters,
  purge: number,
  onEpoch?: (log: EpochLog) => void,
): Promise<FitResult> {
  const f = data.features;
  const valRows = Math.floor(data.rows * hp.validationFraction);
  const trainRows = data.rows - valRows - (valRows > 0 ? purge : 0);
  if (trainRows < hp.batchSize || (hp.validationFraction > 0 && valRows < 1))
    throw new MjolnirError(
      'input_invalid',
      `${data.rows} rows are too few to train on (batch ${hp.batchSize})`,
    );
  const train = {
    x: data.x.subarray(0, trainRows * f),
    y: data.y.subarray(0, trainRows),
    rows: trainRows,
    features: f,
  };
  const scaler = fitScaler(train);
  const scaled = scaleRows(data, scaler);
  const valStart = data.rows - valRows;
  const valX = scaled.subarray(valStart * f);
  const valY = data.y.subarray(valStart);
  const model = buildNetwork(tf, f, hp);
  const history: EpochLog[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: model.getWeights().map((w) => w.clone()) };
  for (let epoch = 1; epoch <= hp.epochs; epoch++) {
    const [xs, ys] = gather(scaled, data.y, f, seededPermutation(trainRows, hp.seed * 7919 + epoch));
    const xt = tf.tensor2d(xs, [trainRows, f]);
    const yt = tf.tensor2d(ys, [trainRows, 1]);
    const fitted = await model.fit(xt, yt, {
      epochs: 1,
      batchSize: hp.batchSize,
      shuffle: false,
      verbose: 0,
    });
    tf.dispose([xt, yt]);
    const loss = fitted.history['loss']![0] as number;
    const [valLoss, valAccuracy] =
      valRows > 0 ? evaluate(tf, model, valX, valY, valRows, f) : [loss, Number.NaN];
    const log = { epoch, loss, valLoss, valAccuracy };
    history.push(log);
    onEpoch?.(log);
    if (valLoss < best.loss) {
      tf.dispose(best.weights);
      best = { loss: valLoss, epoch, weights: model.getWeights().map((w) => w.clone()) };
    } else if (epoch - best.epoch >= hp.patience) break;
  }
  model.setWeights(best.weights);
  tf.dispose(best.weights);
  return { model, scaler, history, bestEpoch: best.epoch, stoppedEarly: history.length < hp.epochs };
}
