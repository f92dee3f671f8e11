import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, describeSystemError, MjolnirError } from '../../core/index.js';
import { MODEL_FEATURE_NAMES, MODEL_FEATURES_VERSION } from './features.js';
import { type Activation, type DenseLayer, DensePredictor, type Scaler } from './predictor.js';

/** What of a model's manifest its predictions depend on (hashed into its id with the tfjs files). */
export interface ModelInputs {
  readonly features: { readonly version: string; readonly names: readonly string[] };
  readonly scaler: Scaler;
  readonly label: { readonly kind: 'direction'; readonly horizon: number };
}

/** A model's manifest.json: its inputs, what it was trained on (`mjolnir train` writes it) and more. */
export type ModelManifest = ModelInputs & {
  readonly model_id?: string;
  /** The final model's training window: its first row's bar to its last label's bar. */
  readonly train?: { readonly start_ts: number; readonly end_ts: number; readonly rows: number };
  readonly backend?: string;
} & Readonly<Record<string, unknown>>;

/** A model read from `models/<model_id>/`: its manifest and the predictor the strategy runs. */
export interface LoadedModel {
  readonly id: string;
  readonly dir: string;
  readonly manifest: ModelManifest;
  readonly predictor: DensePredictor;
}

/** The tfjs `model.json` of the file:// layout (tfjs-node's file system handler writes the same). */
export interface ModelJson {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: string | null;
  readonly modelTopology: unknown;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly {
      readonly name: string;
      readonly shape: readonly number[];
      readonly dtype: string;
    }[];
  }[];
}

/**
 * A model's id: the content hash of its tfjs files and of its whole manifest but the id itself (the
 * inputs it expects, and what the tools trust: its training and fold windows, data hash, label,
 * hyperparameters). A manifest edited after training no longer matches its id and is refused.
 */
export function modelIdOf(
  modelJson: Uint8Array,
  weights: Uint8Array,
  manifest: ModelInputs & Readonly<Record<string, unknown>>,
): string {
  const { model_id: _id, ...described } = manifest;
  const hash = createHash('sha256');
  hash.update(modelJson);
  hash.update(weights);
  hash.update(canonicalJson(described));
  return hash.digest('hex').slice(0, 16);
}

/** The id models had before it covered the whole manifest (only to say why an old model is refused). */
function inputsOnlyIdOf(modelJson: Uint8Array, weights: Uint8Array, inputs: ModelInputs): string {
  const hash = createHash('sha256');
  hash.update(modelJson);
  hash.update(weights);
  const { features, scaler, label } = inputs;
  hash.update(
    JSON.stringify({
      features: { version: features?.version, names: features?.names },
      scaler: { mean: scaler?.mean, std: scaler?.std },
      label: { kind: label?.kind, horizon: label?.horizon },
    }),
  );
  return hash.digest('hex').slice(0, 16);
}

function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new MjolnirError('input_invalid', `cannot read model file ${path}: ${describeSystemError(error)}`, {
      cause: error,
    });
  }
}

function corrupt(dir: string, message: string): never {
  throw new MjolnirError('data_invalid', `model ${dir}: ${message}`);
}

/** A model file's JSON object, or a refusal naming the file and what is wrong with it. */
function jsonObject(dir: string, name: string, bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    corrupt(dir, `${name} is not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    corrupt(dir, `${name} is not a JSON object`);
  return value as Record<string, unknown>;
}

const isNumbers = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'number');

/** The manifest's inputs checked for shape: a manifest missing them is refused, not a TypeError later. */
function checkedManifest(dir: string, manifest: Record<string, unknown>): ModelManifest {
  const m = manifest as Partial<ModelManifest>;
  if (typeof m.features?.version !== 'string' || !Array.isArray(m.features.names))
    corrupt(dir, 'manifest.json has no features { version, names }');
  if (!isNumbers(m.scaler?.mean) || !isNumbers(m.scaler.std))
    corrupt(dir, 'manifest.json has no scaler { mean, std } of numbers');
  if (m.label?.kind !== 'direction' || !Number.isSafeInteger(m.label.horizon))
    corrupt(dir, 'manifest.json has no label { kind: direction, horizon }');
  return manifest as ModelManifest;
}

const ACTIVATIONS = new Set(['linear', 'relu', 'sigmoid', 'tanh']);

/** The dense layers of a Sequential topology with their weights from the weight specs, in order. */
export function denseLayers(json: ModelJson, weights: Uint8Array, dir: string): DenseLayer[] {
  const topology = json.modelTopology as { config?: { layers?: unknown[] }; class_name?: string };
  const layers = topology?.config?.layers;
  if (topology?.class_name !== 'Sequential' || !Array.isArray(layers)) corrupt(dir, 'not a Sequential model');
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const floats = new Float32Array(
    weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  );
  let offset = 0;
  let spec = 0;
  const take = (shape: readonly number[]): Float32Array => {
    const s = specs[spec++];
    if (s === undefined || s.dtype !== 'float32' || s.shape.join('x') !== shape.join('x'))
      corrupt(dir, `weight ${spec} is not float32 ${shape.join('x')}`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + size > floats.length) corrupt(dir, 'weights.bin is shorter than its manifest');
    const values = floats.slice(offset, offset + size);
    offset += size;
    return values;
  };
  const dense: DenseLayer[] = [];
  let inputs = Number.NaN;
  for (const layer of layers as { class_name: string; config: Record<string, unknown> }[]) {
    if (layer.class_name === 'Dropout') continue;
    if (layer.class_name !== 'Dense')
      corrupt(dir, `layer ${layer.class_name} is not supported (Dense and Dropout are)`);
    const shape = layer.config['batch_input_shape'] as number[] | undefined;
    if (dense.length === 0) inputs = shape?.[1] ?? Number.NaN;
    const units = layer.config['units'] as number;
    const activation = layer.config['activation'] as string;
    if (!ACTIVATIONS.has(activation)) corrupt(dir, `activation ${activation} is not supported`);
    if (layer.config['use_bias'] === false) corrupt(dir, 'dense layers without a bias are not supported');
    const kernel = take([inputs, units]);
    dense.push({ inputs, units, kernel, bias: take([units]), activation: activation as Activation });
    inputs = units;
  }
  if (offset !== floats.length) corrupt(dir, 'weights.bin is longer than its manifest');
  return dense;
}

/**
 * Reads `dir` (a `models/<model_id>/`): checks that its content hashes to its id (a changed weight or
 * scaler is refused, never traded) and that it expects this version of the features.
 */
export function readModel(dir: string): LoadedModel {
  const jsonBytes = read(join(dir, 'model.json'));
  const manifest = checkedManifest(dir, jsonObject(dir, 'manifest.json', read(join(dir, 'manifest.json'))));
  const json = jsonObject(dir, 'model.json', jsonBytes) as unknown as ModelJson;
  if (!Array.isArray(json.weightsManifest)) corrupt(dir, 'model.json has no weightsManifest');
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const weights = Buffer.concat(paths.map((p) => read(join(dir, p))));
  const id = modelIdOf(jsonBytes, weights, manifest);
  if (manifest.model_id !== id)
    corrupt(
      dir,
      inputsOnlyIdOf(jsonBytes, weights, manifest) === manifest.model_id
        ? 'saved by a version whose model id did not cover the training windows: train it again'
        : `its files and manifest hash to ${id}, its manifest says ${String(manifest.model_id)}: changed after training`,
    );
  if (manifest.features?.version !== MODEL_FEATURES_VERSION)
    corrupt(
      dir,
      `features ${String(manifest.features?.version)}, this version computes ${MODEL_FEATURES_VERSION}`,
    );
  if (manifest.features.names.join(',') !== MODEL_FEATURE_NAMES.join(','))
    corrupt(
      dir,
      `features [${manifest.features.names.join(', ')}] are not [${MODEL_FEATURE_NAMES.join(', ')}]`,
    );
  const predictor = new DensePredictor(denseLayers(json, weights, dir), manifest.scaler);
  if (predictor.inputs !== MODEL_FEATURE_NAMES.length)
    corrupt(
      dir,
      `the model takes ${predictor.inputs} inputs, the features are ${MODEL_FEATURE_NAMES.length}`,
    );
  return { id, dir, manifest, predictor };
}
