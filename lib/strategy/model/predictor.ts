import { MjolnirError } from '../../core/index.js';

/** Activations a dense layer may use. */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

/** One dense layer: `kernel` is inputs x units, row-major (tfjs's layout). */
export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
}

/** Standardisation fitted on the training rows: x' = (x - mean) / std. */
export interface Scaler {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

function activate(kind: Activation, v: number): number {
  switch (kind) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
    default:
      return v;
  }
}

/**
 * A dense network's forward pass in plain arithmetic: each row is computed alone, in one fixed order,
 * so a prediction does not depend on the batch it is in, on the machine or on the tfjs backend that
 * trained the weights (GPU kernels and XNNPACK sum in orders of their own). This is what makes a
 * backtest over a batch of bars and the paper loop bar by bar decide alike.
 */
export class DensePredictor {
  readonly inputs: number;
  private readonly buffers: Float64Array[];

  constructor(
    readonly layers: readonly DenseLayer[],
    readonly scaler: Scaler,
  ) {
    if (layers.length === 0) throw new MjolnirError('input_invalid', 'a model needs at least one layer');
    this.inputs = layers[0]!.inputs;
    if (scaler.mean.length !== this.inputs || scaler.std.length !== this.inputs)
      throw new MjolnirError(
        'input_invalid',
        `the scaler has ${scaler.mean.length} inputs, the model ${this.inputs}`,
      );
    layers.forEach((layer, i) => {
      if (i > 0 && layer.inputs !== layers[i - 1]!.units)
        throw new MjolnirError(
          'input_invalid',
          `layer ${i} takes ${layer.inputs} inputs after ${layers[i - 1]!.units} units`,
        );
    });
    this.buffers = [new Float64Array(this.inputs), ...layers.map((l) => new Float64Array(l.units))];
  }

  /** The output (the first unit of the last layer) for one row of raw features. */
  predict(features: ArrayLike<number>): number {
    const input = this.buffers[0]!;
    const { mean, std } = this.scaler;
    // Rounded to float32 first, as the training inputs were.
    for (let i = 0; i < this.inputs; i++) input[i] = (Math.fround(features[i]!) - mean[i]!) / std[i]!;
    for (let l = 0; l < this.layers.length; l++)
      this.forward(this.layers[l]!, this.buffers[l]!, this.buffers[l + 1]!);
    return this.buffers[this.layers.length]![0]!;
  }

  /** Predictions for `rows` rows of features (row-major): each exactly what `predict` gives for it. */
  predictBatch(x: ArrayLike<number>, rows: number): Float64Array {
    const out = new Float64Array(rows);
    const row = new Float64Array(this.inputs);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < this.inputs; i++) row[i] = x[r * this.inputs + i]!;
      out[r] = this.predict(row);
    }
    return out;
  }

  private forward(layer: DenseLayer, input: Float64Array, output: Float64Array): void {
    const { inputs, units, kernel, bias, activation } = layer;
    for (let u = 0; u < units; u++) {
      let sum = bias[u]!;
      for (let i = 0; i < inputs; i++) sum += input[i]! * kernel[i * units + u]!;
      output[u] = activate(activation, sum);
    }
  }
}
