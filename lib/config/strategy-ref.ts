import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { err, MjolnirError, ok, type Result } from '../core/index.js';
import {
  builtinStrategy,
  type LoadedModel,
  MODEL_CLASSIFIER_ID,
  modelClassifier,
  readModel,
  type StrategyDefinition,
  strategyFromFile,
} from '../strategy/index.js';
import type { StrategyRef } from './schema.js';

/** Where a problem is and what was expected there. */
export type StrategyProblem = { readonly path: readonly PropertyKey[]; readonly expected: string };

/**
 * Resolves a parsed `strategy` entry: a file is taken relative to the config's directory, loaded, and
 * its parameters checked against its own schema; the result names the file absolutely (sweep workers
 * load it again) and carries the id the file defines.
 */
export function resolveStrategyRef(
  parsed: {
    id?: string | undefined;
    file?: string | undefined;
    model?: string | undefined;
    params: Record<string, number | boolean>;
  },
  configFile: string,
  describe: (issue: z.core.$ZodIssue) => string,
  env: Readonly<Record<string, string | undefined>> = {},
): Result<StrategyRef, StrategyProblem[]> {
  if (parsed.model !== undefined) return resolveModel(parsed.model, configFile, env, parsed);
  if (parsed.file === undefined) return ok({ id: parsed.id!, params: parsed.params });
  const file = resolve(dirname(configFile), parsed.file);
  let definition: StrategyDefinition;
  try {
    definition = strategyFromFile(file, parsed.id);
  } catch (error) {
    if (!(error instanceof MjolnirError)) throw error;
    return err([{ path: ['strategy', 'file'], expected: `a file exporting a strategy (${error.message})` }]);
  }
  const checked = definition.params.safeParse(parsed.params);
  if (!checked.success)
    return err(
      checked.error.issues.map((issue) => ({
        path: ['strategy', 'params', ...issue.path],
        expected: `${describe(issue)} (strategy ${definition.id} of ${file})`,
      })),
    );
  return ok({ id: definition.id, file, params: parsed.params });
}

/** Where models live: MODELS_DIR, else `<DATA_ROOT>/models` (docs/contracts.md), else ./data/models. */
export function modelsDir(env: Readonly<Record<string, string | undefined>>): string {
  return resolve(env['MODELS_DIR'] || join(env['DATA_ROOT'] || 'data', 'models'));
}

/** Models read by this process, by folder: a model's files are checked against its id once. */
const models = new Map<string, LoadedModel>();

/** The model in `dir`, read and checked once per process. */
export function modelAt(dir: string): LoadedModel {
  let model = models.get(dir);
  if (model === undefined) {
    model = readModel(dir);
    models.set(dir, model);
  }
  return model;
}

/** The model `id` under the models directory, checked to be that model (a renamed folder is not). */
export function modelNamed(id: string, env: Readonly<Record<string, string | undefined>>): LoadedModel {
  const dir = join(modelsDir(env), id);
  const loaded = modelAt(dir);
  if (loaded.id !== id) throw new MjolnirError('data_invalid', `${dir} holds model ${loaded.id}, not ${id}`);
  return loaded;
}

/** A `strategy.model`: an id under the models directory, or a path (with a `/`) from the config's folder. */
function resolveModel(
  model: string,
  configFile: string,
  env: Readonly<Record<string, string | undefined>>,
  parsed: { id?: string | undefined; params: Record<string, number | boolean> },
): Result<StrategyRef, StrategyProblem[]> {
  try {
    const loaded = model.includes('/')
      ? modelAt(resolve(dirname(configFile), model))
      : modelNamed(model, env);
    return ok({ id: parsed.id!, model: { id: loaded.id, dir: loaded.dir }, params: parsed.params });
  } catch (error) {
    if (!(error instanceof MjolnirError)) throw error;
    return err([{ path: ['strategy', 'model'], expected: `a trained model (${error.message})` }]);
  }
}

/** The definition a resolved config names: its model's, its file's, or the built-in. */
export function definitionOf(ref: StrategyRef): StrategyDefinition {
  if (ref.model !== undefined) return modelClassifier(modelAt(ref.model.dir));
  if (ref.id === MODEL_CLASSIFIER_ID && ref.file === undefined)
    throw new MjolnirError(
      'config_invalid',
      `strategy ${MODEL_CLASSIFIER_ID} needs strategy.model: train one (mjolnir train -c CONFIG) and name its id`,
    );
  return ref.file === undefined ? builtinStrategy(ref.id) : strategyFromFile(ref.file, ref.id);
}
