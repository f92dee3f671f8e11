import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { fsyncPath, MjolnirError } from '../core/index.js';
import {
  DensePredictor,
  denseLayers,
  type LoadedModel,
  type ModelInputs,
  type ModelJson,
  modelIdOf,
} from '../strategy/index.js';
import type { TfModule } from './backend.js';

/** A trained network as the bytes of the tfjs file:// layout: `model.json` and `weights.bin`. */
export interface ModelFiles {
  readonly json: Uint8Array;
  readonly weights: Uint8Array;
}

/** The name tfjs-node's file:// handler gives the weights, and the manifest entry pointing at them. */
const WEIGHTS_FILE = 'weights.bin';

/**
 * The model's files in tfjs-node's `file://` layout, written through `tf.io.withSaveHandler` (so the
 * wasm and cpu backends save what tfjs-node's `loadLayersModel('file://...')` reads, and back).
 */
export async function modelFiles(tf: TfModule, model: Tf.LayersModel): Promise<ModelFiles> {
  let captured: Tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured as unknown as Tf.io.ModelArtifacts;
  const json: ModelJson = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [
      { paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs as ModelJson['weightsManifest'][0]['weights'] },
    ],
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
  };
  const data = artifacts.weightData as ArrayBuffer;
  return { json: new TextEncoder().encode(JSON.stringify(json)), weights: new Uint8Array(data.slice(0)) };
}

/**
 * The strategy's view of files not yet saved (a fold's model, evaluated in memory); with `meta`
 * (what the manifest says besides the inputs) its id is the one `saveModel` gives it.
 */
export function modelInMemory(
  files: ModelFiles,
  inputs: ModelInputs,
  meta: Readonly<Record<string, unknown>> = {},
): LoadedModel {
  const manifest = { ...meta, ...inputs };
  const id = modelIdOf(files.json, files.weights, manifest);
  const json = JSON.parse(new TextDecoder().decode(files.json)) as ModelJson;
  const predictor = new DensePredictor(denseLayers(json, files.weights, `(in memory ${id})`), inputs.scaler);
  return { id, dir: '', manifest, predictor };
}

/**
 * Saves a model under `root/<model_id>/` (model.json, weights.bin, manifest.json) and returns its id.
 * The folder is written beside and renamed into place whole, the manifest last: a model folder is
 * complete or absent. A model already there with the same id is the same content and is kept. The id
 * covers the manifest too (`modelIdOf`): what it says of the training cannot be changed unnoticed.
 */
export function saveModel(
  root: string,
  files: ModelFiles,
  inputs: ModelInputs,
  meta: Readonly<Record<string, unknown>>,
): { id: string; dir: string } {
  const id = modelIdOf(files.json, files.weights, { ...meta, ...inputs });
  const dir = join(root, id);
  if (existsSync(join(dir, 'manifest.json'))) return { id, dir };
  mkdirSync(root, { recursive: true });
  const temp = join(root, `.tmp-${id}-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  const write = (name: string, data: Uint8Array | string) => {
    writeFileSync(join(temp, name), data);
    fsyncPath(join(temp, name));
  };
  write('model.json', files.json);
  write(WEIGHTS_FILE, files.weights);
  write('manifest.json', `${JSON.stringify({ model_id: id, ...meta, ...inputs }, null, 2)}\n`);
  fsyncPath(temp);
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  fsyncPath(root);
  return { id, dir };
}

/**
 * Loads a saved model into tfjs: through tfjs-node's own `file://` handler when the native backend
 * runs, else by reading the same layout (model.json, then the weight files it lists, beside it).
 */
export async function loadNetwork(tf: TfModule, dir: string): Promise<Tf.LayersModel> {
  if (tf.getBackend() === 'tensorflow') return tf.loadLayersModel(`file://${join(dir, 'model.json')}`);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  if (!Array.isArray(json.weightsManifest))
    throw new MjolnirError(
      'data_invalid',
      `${dir}/model.json has no weightsManifest: not a tfjs layers model`,
    );
  const weights = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dir, p))),
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as Tf.io.ModelJSON['modelTopology'],
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as Tf.io.WeightsManifestEntry[],
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}
