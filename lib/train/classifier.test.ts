import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedConfigText, engineSpecOf, parseConfig } from '../config/index.js';
import { createEngine, specFingerprint } from '../engine/index.js';
import { DECISION_COLUMNS, readDecisions } from '../journal/index.js';
import { barAt, generateSeries, sliceSeries } from '../market/index.js';
import {
  type LoadedModel,
  modelClassifier,
  modelFeatures,
  readModel,
  restoreFeatures,
  snapshotFeatures,
} from '../strategy/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { modelFiles, saveModel } from './artifacts.js';
import { selectBackend } from './backend.js';
import { buildDataset } from './dataset.js';
import { DEFAULT_HYPERPARAMETERS, fitNetwork } from './network.js';
import { inputsOf } from './pipeline.js';

const TF = timeframe('5m');
const SERIES = generateSeries({ seed: 5, timeframe: TF, startTs: tsMs(Date.UTC(2024, 0, 1) + TF.ms) }, 3000);
const models = mkdtempSync(join(tmpdir(), 'mjolnir-classifier-'));
const TRAINING = readFileSync(new URL('../../configs/train-sim.yaml', import.meta.url), 'utf8');
let model: LoadedModel;

beforeAll(async () => {
  const { tf } = await selectBackend('wasm');
  const data = buildDataset(SERIES, modelFeatures.create(), { horizon: 6, label: 'direction', barMs: TF.ms });
  const rows = { x: data.x, y: data.y, rows: data.rows, features: 7 };
  const fit = await fitNetwork(
    tf,
    rows,
    { ...DEFAULT_HYPERPARAMETERS, hidden: [8], epochs: 2, batchSize: 128, seed: 3 },
    6,
  );
  const saved = saveModel(models, await modelFiles(tf, fit.model), inputsOf(fit.scaler, 6), {});
  model = readModel(saved.dir);
}, 60_000);

const config = (text: string, env: Record<string, string> = { MODELS_DIR: models }) =>
  parseConfig(text, join(models, 'x.yaml'), env);
const valid = (text: string) => {
  const parsed = config(text);
  if (!parsed.ok) throw new Error(parsed.error.map((p) => p.expected).join('; '));
  return parsed.value;
};

describe('the model strategy', () => {
  it('trades on its probability with an ATR stop, and its state restores to the same decisions', () => {
    const strategy = modelClassifier(model).create({ enter: 0.5001, exit: 0.5 });
    expect(strategy.modelId).toBe(model.id);
    const spec = { ...engineSpecOf(valid(deployedConfigText(TRAINING, model.id))) };
    const engine = createEngine({ ...spec, strategy });
    const whole = engine.run(SERIES);
    expect(whole.decisions.some((d) => d.action === 'enter_long')).toBe(true);
    // Cut in two: the second half from a serialized state (what the paper loop does on restart).
    const first = engine.run(sliceSeries(SERIES, 0, 1500));
    const restored = engine.restore(engine.serialize(first.state));
    const second = engine.run(sliceSeries(SERIES, 1500, SERIES.length), { state: restored });
    expect([...first.decisions, ...second.decisions]).toEqual(whole.decisions);
    const features = strategy.createFeatures();
    for (let i = 0; i < 200; i++) strategy.update(features, barAt(SERIES, i));
    const copy = strategy.createFeatures();
    restoreFeatures(copy, snapshotFeatures(features));
    expect(strategy.describe(copy)).toEqual(strategy.describe(features));
    expect(Object.keys(strategy.describe(features))).toEqual([
      'ret_1',
      'ret_4',
      'ret_16',
      'vol_16',
      'ema_gap',
      'rsi',
      'atr_pct',
      'p_up',
    ]);
  });

  it('puts the model in the spec fingerprint: another model is another spec', () => {
    const base = engineSpecOf(valid(deployedConfigText(TRAINING, model.id)));
    const other = { ...base, strategy: { ...base.strategy, modelId: 'ffffffffffffffff' } };
    expect(specFingerprint(other)).not.toBe(specFingerprint(base));
  });
});

describe('configs naming a model', () => {
  it('resolve strategy.model under MODELS_DIR, else DATA_ROOT/models', () => {
    const text = deployedConfigText(TRAINING, model.id);
    expect(text).toContain(`model: ${model.id}`);
    expect(text).not.toContain('train:');
    const parsed = config(text);
    expect(parsed.ok && parsed.value.strategy.model).toEqual({ id: model.id, dir: join(models, model.id) });
    expect(config(text, { DATA_ROOT: join(models, '..') }).ok).toBe(false);
  });

  it('are refused with the reason: no such model, a model without model_classifier, model_classifier without one', () => {
    const problems = (text: string) => {
      const parsed = config(text);
      return parsed.ok ? [] : parsed.error.map((p) => `${p.key}: ${p.expected}`);
    };
    expect(problems(deployedConfigText(TRAINING, 'aaaaaaaaaaaaaaaa'))[0]).toMatch(
      /^strategy\.model: a trained model \(cannot read/,
    );
    expect(
      problems(
        TRAINING.replace('id: model_classifier', 'id: ema_cross_atr').replace(
          /params: \{[^}]*\}/,
          `model: ${model.id}`,
        ),
      )[0],
    ).toMatch(/strategy\.model: no model/);
    expect(problems(deployedConfigText(TRAINING, model.id).replace(`model: ${model.id}`, ''))[0]).toMatch(
      /strategy\.model: a model id/,
    );
  });
});

describe('journals from before the model_id column', () => {
  it('are refused with what to do, never rewritten', () => {
    const path = join(models, 'old-decisions.csv');
    const text = `${DECISION_COLUMNS.filter((c) => c !== 'model_id').join(',')}\n`;
    writeFileSync(path, text);
    expect(() => readDecisions(path)).toThrow(/before decisions gained their model_id column/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
