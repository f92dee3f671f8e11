import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MjolnirError } from '../core/index.js';
import { generateSeries } from '../market/index.js';
import { MODEL_FEATURE_NAMES, type ModelInputs, modelFeatures, readModel } from '../strategy/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { loadNetwork, modelFiles, modelInMemory, saveModel } from './artifacts.js';
import { type Backend, selectBackend } from './backend.js';
import { buildDataset } from './dataset.js';
import { trainAll } from './fold-pool.js';
import type { FoldJob } from './fold-work.js';
import { DEFAULT_HYPERPARAMETERS, fitNetwork, type ModelHyperparameters, type Rows } from './network.js';
import { inputsOf } from './pipeline.js';

const TF = timeframe('5m');
const SERIES = generateSeries({ seed: 3, timeframe: TF, startTs: tsMs(Date.UTC(2024, 0, 1) + TF.ms) }, 4000);
const DATA = buildDataset(SERIES, modelFeatures.create(), { horizon: 6, label: 'direction', barMs: TF.ms });
const ROWS: Rows = { x: DATA.x, y: DATA.y, rows: DATA.rows, features: DATA.features.length };
const HP: ModelHyperparameters = { ...DEFAULT_HYPERPARAMETERS, hidden: [16, 8], epochs: 3, batchSize: 128 };

let backend: Backend;
beforeAll(async () => {
  backend = await selectBackend('wasm');
});

const weightsOf = async (seed: number) => {
  const fit = await fitNetwork(backend.tf, ROWS, { ...HP, seed }, 6);
  const files = await modelFiles(backend.tf, fit.model);
  return { fit, files };
};

describe('training on wasm', () => {
  it('runs on the wasm backend and says so', () => {
    expect(backend.name).toBe('wasm');
    expect(backend.detail).toMatch(/^wasm \((SIMD|no SIMD), single thread\)$/);
  });

  it('trains bit-identical weights twice for a seed, different weights for another seed', async () => {
    const a = await weightsOf(7);
    const b = await weightsOf(7);
    const c = await weightsOf(8);
    expect(a.files.weights.length).toBe((7 * 16 + 16 + 16 * 8 + 8 + 8 + 1) * 4);
    expect(Buffer.from(a.files.weights).equals(Buffer.from(b.files.weights))).toBe(true);
    expect(Buffer.from(a.files.json).equals(Buffer.from(b.files.json))).toBe(true);
    expect(a.fit.history).toEqual(b.fit.history);
    expect(Buffer.from(a.files.weights).equals(Buffer.from(c.files.weights))).toBe(false);
  }, 60_000);

  it('stops early when the validation loss stops improving and keeps the best epoch', async () => {
    const fit = await fitNetwork(backend.tf, ROWS, { ...HP, epochs: 60, patience: 2, learningRate: 0.05 }, 6);
    expect(fit.stoppedEarly).toBe(true);
    expect(fit.history.length).toBe(fit.bestEpoch + 2);
    const best = Math.min(...fit.history.map((h) => h.valLoss));
    expect(fit.history[fit.bestEpoch - 1]!.valLoss).toBe(best);
  }, 60_000);

  it('refuses seed 0 (tfjs takes it as unseeded)', async () => {
    await expect(fitNetwork(backend.tf, ROWS, { ...HP, seed: 0 }, 6)).rejects.toThrow(/nonzero/);
  });

  it('gives the same networks on worker threads as on this one', async () => {
    const job = (seed: number): FoldJob => ({
      label: `s${seed}`,
      data: ROWS,
      hp: { ...HP, seed },
      purge: 6,
      backend: 'wasm',
    });
    const jobs = [job(11), job(12), job(13)];
    const here = await trainAll(jobs, 1);
    const threaded = await trainAll(jobs, 2);
    expect(threaded.map((f) => f.label)).toEqual(['s11', 's12', 's13']);
    threaded.forEach((fit, i) => {
      expect(Buffer.from(fit.files.weights).equals(Buffer.from(here[i]!.files.weights))).toBe(true);
      expect(fit.backend).toBe(here[i]!.backend);
    });
  }, 120_000);
});

describe('a failure on a training thread', () => {
  const job = (label: string, data: Rows, seed = 5): FoldJob => ({
    label,
    data,
    hp: { ...HP, seed },
    purge: 6,
    backend: 'wasm',
  });

  it("keeps an operator's error code and the worker's stack", async () => {
    const failed = await trainAll([job('ok', ROWS), job('zero', ROWS, 0)], 2).catch(
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(MjolnirError);
    expect(failed).toMatchObject({
      code: 'input_invalid',
      message: expect.stringMatching(/^training zero: .*nonzero/),
    });
    expect((failed as Error).stack).toMatch(/network\.(ts|js)/);
  }, 60_000);

  it('stays a bug (not an operator error) with its stack when the worker hits one', async () => {
    const broken: Rows = { ...ROWS, x: ROWS.x.subarray(0, 10) };
    const failed = await trainAll([job('ok', ROWS), job('broken', broken)], 2).catch(
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(MjolnirError);
    expect((failed as Error).message).toMatch(/^training broken: /);
    expect((failed as Error).stack?.split('\n').length).toBeGreaterThan(2);
  }, 60_000);
});

/** A manifest as parsed JSON, to edit. */
type Manifest = Record<string, Record<string, unknown>>;

describe('saved models', () => {
  const META = { train: { start_ts: 1_000, end_ts: 2_000, rows: 3 }, data: { sha256: 'ab' } };
  /** A copy of the saved model's folder with `change` applied to its manifest. */
  const tampered = (change: (manifest: Manifest) => string): string => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mjolnir-edited-')), saved.id);
    cpSync(saved.dir, dir, { recursive: true });
    writeFileSync(
      join(dir, 'manifest.json'),
      change(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))),
    );
    return dir;
  };
  let saved: { id: string; dir: string };
  let predictionsBefore: Float32Array;
  let inMemory: ReturnType<typeof modelInMemory>;
  const root = mkdtempSync(join(tmpdir(), 'mjolnir-models-'));

  beforeAll(async () => {
    const { fit, files } = await weightsOf(21);
    const inputs = inputsOf(fit.scaler, 6);
    inMemory = modelInMemory(files, inputs, META);
    predictionsBefore = backend.tf.tidy(() => {
      const scaled = DATA.x.map((v, i) => (v - fit.scaler.mean[i % 7]!) / fit.scaler.std[i % 7]!);
      return (
        fit.model.predict(backend.tf.tensor2d(scaled, [DATA.rows, 7])) as never as {
          dataSync(): Float32Array;
        }
      ).dataSync();
    });
    saved = saveModel(root, files, inputs, META);
  }, 60_000);

  it("are tfjs-node's file:// layout: model.json naming weights.bin beside it, and a manifest", () => {
    expect(saved.id).toBe(inMemory.id);
    expect(saved.dir).toBe(join(root, saved.id));
    const json = JSON.parse(readFileSync(join(saved.dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v4\./);
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = json.weightsManifest[0].weights.reduce(
      (n: number, w: { shape: number[] }) => n + w.shape.reduce((a, b) => a * b, 1) * 4,
      0,
    );
    expect(readFileSync(join(saved.dir, 'weights.bin')).length).toBe(bytes);
    const manifest = JSON.parse(readFileSync(join(saved.dir, 'manifest.json'), 'utf8'));
    expect(manifest.model_id).toBe(saved.id);
    expect(manifest.features.names).toEqual([...MODEL_FEATURE_NAMES]);
    expect(manifest.label).toEqual({ kind: 'direction', horizon: 6 });
  });

  it('load back to identical predictions: the strategy predictor, and tfjs through the file layout', async () => {
    const loaded = readModel(saved.dir);
    expect(loaded.id).toBe(saved.id);
    const a = loaded.predictor.predictBatch(DATA.x, DATA.rows);
    const b = inMemory.predictor.predictBatch(DATA.x, DATA.rows);
    expect(a).toEqual(b);
    const network = await loadNetwork(backend.tf, saved.dir);
    const scaler = loaded.manifest.scaler;
    const scaled = DATA.x.map((v, i) => (v - scaler.mean[i % 7]!) / scaler.std[i % 7]!);
    const again = backend.tf.tidy(() =>
      (
        network.predict(backend.tf.tensor2d(scaled, [DATA.rows, 7])) as never as { dataSync(): Float32Array }
      ).dataSync(),
    );
    expect(Array.from(again)).toEqual(Array.from(predictionsBefore));
    // The plain-arithmetic predictor agrees with tfjs to float32 precision.
    for (let i = 0; i < DATA.rows; i += 97) expect(a[i]).toBeCloseTo(predictionsBefore[i]!, 5);
  });

  it('predict one row at a time exactly as in a batch', () => {
    const batch = inMemory.predictor.predictBatch(DATA.x, DATA.rows);
    for (let r = 0; r < DATA.rows; r += 13)
      expect(Object.is(inMemory.predictor.predict(DATA.x.subarray(r * 7, r * 7 + 7)), batch[r])).toBe(true);
  });

  it('refuse a model changed after training', () => {
    const copy = mkdtempSync(join(tmpdir(), 'mjolnir-tampered-'));
    const dir = saveModel(
      copy,
      {
        json: readFileSync(join(saved.dir, 'model.json')),
        weights: readFileSync(join(saved.dir, 'weights.bin')),
      },
      readModel(saved.dir).manifest,
      {},
    ).dir;
    const weights = readFileSync(join(dir, 'weights.bin'));
    weights[5] = weights[5]! ^ 1;
    writeFileSync(join(dir, 'weights.bin'), weights);
    expect(() => readModel(dir)).toThrow(/changed after training/);
  });

  it('refuse a manifest whose training window, data or hyperparameters were edited (the id covers them)', () => {
    const edits: ((m: Manifest) => void)[] = [
      (m) => {
        m['train']!['end_ts'] = 1_500;
      },
      (m) => {
        m['train']!['start_ts'] = 0;
      },
      (m) => {
        m['data']!['sha256'] = 'cd';
      },
      (m) => {
        m['extra'] = {};
      },
    ];
    for (const edit of edits) {
      const dir = tampered((m) => {
        edit(m);
        return JSON.stringify(m);
      });
      expect(() => readModel(dir)).toThrow(/changed after training/);
    }
    // Re-indenting or reordering keys changes no content: still the same model.
    const reordered = tampered((m) => JSON.stringify(Object.fromEntries(Object.entries(m).reverse())));
    expect(readModel(reordered).id).toBe(saved.id);
  });

  it('refuse invalid JSON or a manifest without its inputs with one line naming the file (data_invalid)', () => {
    const cases: [string, string, RegExp][] = [
      ['manifest.json', '{"model_id": ', /manifest\.json is not valid JSON/],
      ['manifest.json', '[1, 2]', /manifest\.json is not a JSON object/],
      ['manifest.json', '{"model_id": "x"}', /manifest\.json has no features/],
      ['model.json', 'not json', /model\.json is not valid JSON/],
    ];
    for (const [name, text, message] of cases) {
      const dir = join(mkdtempSync(join(tmpdir(), 'mjolnir-broken-')), saved.id);
      cpSync(saved.dir, dir, { recursive: true });
      writeFileSync(join(dir, name), text);
      let thrown: unknown;
      try {
        readModel(dir);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'data_invalid', message: expect.stringMatching(message) });
      expect((thrown as Error).message).toContain(dir);
    }
  });

  it('refuse a model saved when the id covered only its inputs, saying to train it again', () => {
    const dir = tampered((m) => {
      const hash = createHash('sha256');
      hash.update(readFileSync(join(saved.dir, 'model.json')));
      hash.update(readFileSync(join(saved.dir, 'weights.bin')));
      const { features, scaler, label } = m as unknown as ModelInputs;
      hash.update(JSON.stringify({ features, scaler: { mean: scaler.mean, std: scaler.std }, label }));
      return JSON.stringify({ ...m, model_id: hash.digest('hex').slice(0, 16) });
    });
    expect(() => readModel(dir)).toThrow(/did not cover the training windows: train it again$/);
  });
});
