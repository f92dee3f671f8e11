import { z } from 'zod';
import { defineStrategy } from '../define.js';
import type { Strategy, StrategyDefinition, StrategyRules } from '../types.js';
import type { LoadedModel } from './artifact.js';
import {
  MODEL_FEATURE_NAMES,
  MODEL_STABLE_WARMUP_BARS,
  MODEL_WARMUP_BARS,
  type ModelFeatureState,
  modelFeatureState,
  modelFeatureValues,
  updateModelFeatures,
} from './features.js';

/** The id decision rows carry for a model strategy (the model's own id is in `model_id`). */
export const MODEL_CLASSIFIER_ID = 'model_classifier';

/** Parameters of the model strategy: probability thresholds and the ATR stop. */
export const modelClassifierParams = z
  .strictObject({
    /** Enter long when the probability of a rise is at least this (short: at most 1 - enter). */
    enter: z.number().gt(0.5).lt(1).default(0.55),
    /** Close a long when the probability falls below this (a short above 1 - exit). */
    exit: z.number().gt(0).lt(1).default(0.5),
    atr_mult: z.number().positive().default(2),
    allow_short: z.boolean().default(false),
  })
  .refine((p) => p.exit <= p.enter, { message: 'exit must not be above enter', path: ['exit'] });

type Params = z.infer<typeof modelClassifierParams>;

function describeFeatures(values: Float64Array, probability: number | null): Record<string, number> {
  const named: Record<string, number> = {};
  MODEL_FEATURE_NAMES.forEach((name, i) => {
    named[name] = values[i]!;
  });
  if (probability !== null) named['p_up'] = probability;
  return named;
}

function rules(p: Params, model: LoadedModel | null): StrategyRules<ModelFeatureState> {
  const values = new Float64Array(MODEL_FEATURE_NAMES.length);
  const ready = (f: ModelFeatureState) => modelFeatureValues(f, values);
  return {
    warmupBars: MODEL_WARMUP_BARS,
    stableWarmupBars: MODEL_STABLE_WARMUP_BARS,
    allowShort: p.allow_short,
    update(f, bar) {
      updateModelFeatures(f, bar);
      f.probability = model !== null && ready(f) ? model.predictor.predict(values) : Number.NaN;
    },
    valid: (f) => ready(f) && (model === null || Number.isFinite(f.probability)),
    entry: (f) => (f.probability >= p.enter ? 1 : f.probability <= 1 - p.enter ? -1 : 0),
    exitLong: (f) => f.probability < p.exit,
    exitShort: (f) => f.probability > 1 - p.exit,
    stopDistance: (f) => p.atr_mult * f.atr.value,
    describe: (f) => {
      if (!ready(f)) values.fill(Number.NaN);
      return describeFeatures(values, model === null ? null : f.probability);
    },
  };
}

/**
 * The features every model sees, as a strategy that never trades: what datasets are built from
 * (`buildDataset(series, modelFeatures.create(), ...)`), so training and trading compute them alike.
 */
export const modelFeatures: StrategyDefinition = defineStrategy({
  id: 'model_features',
  summary: `the model inputs (${MODEL_FEATURE_NAMES.join(', ')}); never trades`,
  params: z.strictObject({}),
  features: modelFeatureState,
  rules: () => {
    const r = rules({ enter: 0.99, exit: 0.01, atr_mult: 1, allow_short: false }, null);
    return { ...r, entry: () => 0 };
  },
});

/**
 * A strategy trading a trained classifier: long when its probability of a rise over its horizon
 * reaches `enter`, out when it falls below `exit` (shorts mirrored when allowed), an ATR stop; its
 * warmup is the features'. Every decision carries the model's id (`model_id`).
 */
export function modelClassifier(model: LoadedModel): StrategyDefinition {
  const definition = defineStrategy({
    id: MODEL_CLASSIFIER_ID,
    summary: `trades model ${model.id}: enter/exit on its probability of a rise, ATR stop`,
    params: modelClassifierParams,
    features: modelFeatureState,
    rules: (p: Params) => rules(p, model),
  });
  return {
    ...definition,
    create(raw?: unknown): Strategy {
      return { ...definition.create(raw), modelId: model.id };
    },
  };
}
