/**
 * A model from training to the paper loop, through the operator's make targets: `make train` on the
 * simulator's bars (walk-forward folds, the model saved and a paper config deployed), `make paper`
 * trading it (the model id in every decision), `make eqflat` reproducing LIVE with the model,
 * `make validate-oos` on overlapping and clean windows; then the drift and freshness monitors on
 * planted cases.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barAt, generateSeries, timeframe, tsMs } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceleratedSim, CLI, decisions, exited, start, waitFor } from './support/processes.js';

const START = Date.UTC(2024, 3, 2);
const work = mkdtempSync(join(tmpdir(), 'mjolnir-model-'));
const root = join(work, 'data');
const trainConfig = join(work, 'train.yaml');
const paperConfig = join(work, 'paper.yaml');
let sim: SimServer;

beforeAll(async () => {
  sim = await acceleratedSim(START, 3000, 17);
  writeFileSync(
    trainConfig,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: model
simulator: { port: ${sim.port}, speed: 3000 }
strategy: { id: model_classifier, params: { enter: 0.51, exit: 0.5, atr_mult: 2 } }
train: { horizon: 6, train_rows: 2000, test_rows: 500, hidden: [16], epochs: 6, patience: 3, seed: 5 }
fetch: { timeout_ms: 1000, attempts: 3 }
paper: { history_bars: 300, fetch_grace_bars: 50 }
`,
  );
});
afterAll(async () => {
  await sim.close();
});

async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const child = start(command, args, { DATA_ROOT: root, ...env });
  const code = await exited(child);
  return { code, output: child.output() };
}
const make = (target: string, env: Record<string, string> = {}) =>
  run('make', ['--no-print-directory', target], env);

describe('a trained model', () => {
  it('trains, trades in the paper loop with its id in every decision, and eqflat reproduces LIVE', async () => {
    const trained = await make('train', { CONFIG: trainConfig, TRAIN_SIM_DAYS: '20', DEPLOY: paperConfig });
    expect(trained.code, trained.output).toBe(0);
    expect(trained.output).toMatch(/^tfjs 4\.22\.0 on wasm \(SIMD, single thread\)$/m);
    expect(trained.output).toMatch(/^fold 1\/\d+ epoch {3}1\/6 {2}loss /m);
    const id = /^model ([0-9a-f]{16}): trained on 2,000 rows/m.exec(trained.output)![1]!;
    // The fold table and its notes fit a 120-column terminal.
    const table = trained.output
      .split('\n')
      .filter((line) => /^(fold|\d+) |^windows in UTC|^\* |^ {2}n\/a/.test(line));
    expect(table.length).toBeGreaterThanOrEqual(8);
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(120);
    const manifest = JSON.parse(readFileSync(join(root, 'models', id, 'manifest.json'), 'utf8'));
    expect(manifest.model_id).toBe(id);
    expect(manifest.backend).toBe('wasm (SIMD, single thread)');
    expect(manifest.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.folds.length).toBeGreaterThanOrEqual(5);
    for (const fold of manifest.folds) {
      expect(fold.test.start_ts).toBeGreaterThan(fold.train.end_ts);
      expect(fold.scores.accuracy).toBeGreaterThan(0);
      expect(fold.strategy).not.toBeNull();
    }
    expect(manifest.hyperparameters).toMatchObject({ hidden: [16], epochs: 6, seed: 5 });
    expect(readFileSync(paperConfig, 'utf8')).toContain(`model: ${id}`);
    // The deploy hint works as printed: it names the data root the model is in.
    expect(trained.output).toContain(`(make paper CONFIG=${paperConfig} DATA_ROOT=${root})`);
    expect(trained.output).toMatch(
      /^dataset: [\d,]+ rows, label 6 bars ahead in time; left out: 6 label not known yet$/m,
    );

    const live = start('make', ['--no-print-directory', 'paper'], { DATA_ROOT: root, CONFIG: paperConfig });
    await waitFor(() => decisions(root, 'model').length >= 150, '150 decisions', live);
    process.kill(-live.pid!, 'SIGTERM');
    await exited(live);
    const rows = decisions(root, 'model');
    expect(new Set(rows.map((r) => `${r.strategy} ${r.model_id}`))).toEqual(
      new Set([`model_classifier ${id}`]),
    );
    expect(rows.at(-1)!.features).toMatch(/;p_up=0\.\d+$/);
    expect(rows.some((r) => r.action === 'enter_long')).toBe(true);

    const flat = await make('eqflat', { CONFIG: paperConfig, RUNID: 'flat' });
    expect(flat.output).toMatch(/^OVERALL PASS$/m);
    expect(flat.code).toBe(0);

    // Sweeps load the model on their worker threads.
    const window = { START_TS_MS: String(rows[120]!.ts_ms), END_TS_MS: String(rows.at(-1)!.ts_ms) };
    const sweep = await make('sweep', { CONFIG: paperConfig, GRID: 'enter=0.51,0.55', ...window });
    expect(sweep.code, sweep.output).toBe(0);
    expect(sweep.output).toMatch(/^2 sets \(0 refused\)/m);

    const train = manifest.train as { start_ts: number; end_ts: number };
    // The CLI says 1; make reports any failed recipe as its own 2.
    const overlap = await run(process.execPath, [
      CLI,
      'validate-oos',
      '--model',
      id,
      '--eval-start',
      String(train.end_ts - 3_600_000),
      '--eval-end',
      String(rows.at(-1)!.ts_ms),
    ]);
    expect(overlap.code).toBe(1);
    expect(overlap.output).toMatch(new RegExp(`^model ${id}: OVERLAP: the evaluation window shares`, 'm'));
    const clean = await make('validate-oos', {
      MODEL: id,
      EVAL_START: String(rows[0]!.ts_ms),
      EVAL_END: String(rows.at(-1)!.ts_ms),
    });
    expect(clean.code, clean.output).toBe(0);
    expect(clean.output).toContain('OK: out of sample');

    // --data-root is where a config's model is found, without DATA_ROOT.
    const elsewhere = await run(
      process.execPath,
      [
        CLI,
        'backtest',
        '-c',
        paperConfig,
        '--data-root',
        root,
        '--start',
        String(rows[120]!.ts_ms),
        '--end',
        String(rows.at(-1)!.ts_ms),
      ],
      { DATA_ROOT: '' },
    );
    expect(elsewhere.code, elsewhere.output).toBe(0);

    // A manifest edited after training (its window moved) or not JSON: one line naming the file, exit 2.
    const copyRoot = (name: string, edit: (text: string) => string) => {
      const copy = join(work, name);
      cpSync(join(root, 'models', id), join(copy, 'models', id), { recursive: true });
      const file = join(copy, 'models', id, 'manifest.json');
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      return copy;
    };
    const moved = copyRoot('moved', (text) =>
      text.replace(`"end_ts": ${train.end_ts}`, `"end_ts": ${train.end_ts - 86_400_000}`),
    );
    const evalWindow = [
      '--eval-start',
      String(train.end_ts - 3_600_000),
      '--eval-end',
      String(rows.at(-1)!.ts_ms),
    ];
    const edited = await run(process.execPath, [
      CLI,
      'validate-oos',
      '--model',
      id,
      ...evalWindow,
      '--data-root',
      moved,
    ]);
    expect(edited.code).toBe(2);
    expect(edited.output).toMatch(
      new RegExp(`^error \\[data_invalid\\]: model ${moved}/models/${id}: .*changed after training$`, 'm'),
    );
    expect(edited.output).not.toContain('OK: out of sample');
    const broken = copyRoot('broken', (text) => text.slice(0, 40));
    for (const args of [
      ['validate-oos', '--model', id, ...evalWindow],
      ['drift', '-c', paperConfig, '--model', id],
      [
        'backtest',
        '-c',
        paperConfig,
        '--start',
        String(rows[120]!.ts_ms),
        '--end',
        String(rows.at(-1)!.ts_ms),
      ],
    ]) {
      const refused = await run(process.execPath, [CLI, ...args, '--data-root', broken]);
      expect(refused.code, `${args[0]}: ${refused.output}`).toBe(2);
      expect(refused.output).toMatch(/manifest\.json is not valid JSON/);
      expect(refused.output).not.toMatch(/^\s+at /m);
    }
  }, 240_000);
});

describe('the monitors', () => {
  const planted = join(work, 'planted');
  const config = join(work, 'planted.yaml');
  const TF = timeframe('5m');
  const first = Date.UTC(2024, 0, 1) + TF.ms;
  const calm = generateSeries({ seed: 9, timeframe: TF, startTs: tsMs(first) }, 4000);
  const lastCalm = calm.ts[calm.length - 1]!;

  beforeAll(async () => {
    writeFileSync(config, readFileSync(trainConfig, 'utf8').replace('data_tag: model', 'data_tag: planted'));
    // The same market, then five times as volatile from bar 4000 on.
    const wild = generateSeries(
      {
        seed: 10,
        timeframe: TF,
        startTs: tsMs(lastCalm + TF.ms),
        startPrice: calm.close[calm.length - 1]!,
        annualVolatility: 4,
      },
      1500,
    );
    const lake = await Lake.open(planted);
    try {
      const key = { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' } as const;
      await lake.write(
        key,
        Array.from({ length: calm.length }, (_, i) => barAt(calm, i)),
      );
      await lake.write(
        { ...key, symbol: 'ETH/USDT' },
        Array.from({ length: calm.length }, (_, i) => barAt(calm, i)),
      );
      await lake.write(
        key,
        Array.from({ length: wild.length }, (_, i) => barAt(wild, i)),
      );
    } finally {
      lake.close();
    }
  });

  const cli = (args: string[]) => run(process.execPath, [CLI, ...args, '-c', config, '--data-root', planted]);

  it('drift: exit 1 naming the features when the market turned wild; a live window in the reference is said, never "no drift"', async () => {
    const ref = ['--ref-start', String(first), '--ref-end', String(first + 2000 * TF.ms)];
    const calmLive = await run(
      process.execPath,
      [CLI, 'drift', ...ref, '--live-bars', '1500', '-c', config, '--data-root', planted],
      {},
    );
    // The newest 1500 bars are the wild ones: drift.
    expect(calmLive.code, calmLive.output).toBe(1);
    expect(calmLive.output).toMatch(/^vol_16 +\d+\.\d{4} +DRIFT$/m);
    expect(calmLive.output).toMatch(/^DRIFT: .*vol_16/m);
    const wild = (from: number, to: number) => [
      '--ref-start',
      String(lastCalm + from * TF.ms),
      '--ref-end',
      String(lastCalm + to * TF.ms),
    ];
    // A live window reaching into the reference: the shared bars are left out, and that is said.
    const partly = await cli(['drift', ...wild(200, 1000), '--live-bars', '700']);
    expect(partly.output).toMatch(
      /^overlap: 201 of the newest 700 bars are in the reference window .*: left out of the live window, 499 remain$/m,
    );
    expect(partly.output).toMatch(
      /^reference 801 rows, live 499 rows \(the newest 700 bars of BTC\/USDT 5m after the reference\)$/m,
    );
    // The newest bars against themselves: nothing to judge, never "no drift".
    const itself = await cli(['drift', ...wild(1, 1500), '--live-bars', '1500']);
    expect(itself.code).toBe(2);
    expect(itself.output).not.toContain('OK: no feature drifted');
    expect(itself.output).toMatch(
      /drift needs at least 10 live bars outside the reference window, only 1 of the newest 1500 are: wait for newer bars/,
    );
  });

  it('freshness: exit 0 within MAX_STALENESS_BARS, 1 past it or for a symbol without bars', async () => {
    const last = lastCalm + 1500 * TF.ms;
    const fresh = await cli([
      'monitor',
      '--now',
      String(last + 3 * TF.ms + 1000),
      '--max-staleness-bars',
      '3',
    ]);
    expect(fresh.code, fresh.output).toBe(0);
    expect(fresh.output).toMatch(/^BTC\/USDT +\S+ +3 bars +OK$/m);
    const stale = await cli(['monitor', '--now', String(last + 4 * TF.ms), '--max-staleness-bars', '3']);
    expect(stale.code).toBe(1);
    expect(stale.output).toMatch(/^BTC\/USDT +\S+ +4 bars +STALE$/m);
    expect(stale.output).toContain(
      `to refresh: mjolnir backfill -c ${config} --start ${new Date(last).toISOString()}, or run the paper loop`,
    );
    const missing = await cli(['monitor', '--symbols', 'BTC/USDT,SOL/USDT', '--now', String(last)]);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/^SOL\/USDT +none +no bars +STALE$/m);
  });
});
