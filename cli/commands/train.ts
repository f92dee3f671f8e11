import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BarSeries, Stream } from '@mjolnir/lib';
import { deployedConfigText, formatMetric, isoUtc, loadConfig, MjolnirError, modelsDir } from '@mjolnir/lib';
import type { EpochLog, FoldReport, FoldSpec, TrainResult } from '@mjolnir/lib/train';
import type { Command } from 'commander';
import { columns, num, pct, ratioFootnote } from '../format.js';
import type { CliIo } from '../io.js';
import { countOption, dataRoot, envOption, readAllBars, snapshotsOf } from '../options.js';
import { Progress } from '../progress.js';
import { codeVersion } from '../runs.js';
import { configOption, streamOf } from './backtest.js';

interface TrainCliOptions {
  config: string;
  dataRoot?: string;
  threads?: number;
  backend?: string;
  deploy?: string;
  simDays?: number;
  queue?: string;
  snapshots?: string;
}

const day = (ts: number) => isoUtc(ts).slice(0, 16);
/** A fold window's end in the table: month, day and time (the years are said under it). */
const short = (ts: number) => isoUtc(ts).slice(5, 16).replace('T', ' ');

/** The years the folds span, as the table's note says them. */
function yearsOf(folds: readonly FoldReport[]): string {
  const first = isoUtc(folds[0]!.train.start_ts).slice(0, 4);
  const last = isoUtc(folds.at(-1)!.test.end_ts).slice(0, 4);
  return first === last ? first : `${first}-${last}`;
}

/** The fold table: each fold's windows, its classifier scores and the strategy on its test window. */
function foldTable(folds: readonly FoldReport[]): string {
  const rows = folds.map((f) => [
    String(f.fold + 1),
    `${short(f.train.start_ts)}..${short(f.train.end_ts)}`,
    `${short(f.test.start_ts)}..${short(f.test.end_ts)}`,
    formatMetric('accuracy', f.scores.accuracy),
    formatMetric('up_share', f.scores.baseRate),
    f.scores.logLoss.toFixed(4),
    f.strategy === null ? 'n/a' : formatMetric('total_return', f.strategy.totalReturn),
    f.strategy === null ? 'n/a' : formatMetric('sharpe', f.strategy.sharpe),
    f.strategy === null ? 'n/a' : formatMetric('max_drawdown', f.strategy.maxDrawdownFraction),
    f.strategy === null ? 'n/a' : String(f.strategy.trades),
  ]);
  const head = [
    'fold',
    'train',
    'test (out of sample)',
    'accuracy',
    'up share',
    'log loss',
    'return',
    'Sharpe*',
    'max dd',
    'trades',
  ];
  return `${columns([head, ...rows])}\nwindows in UTC, ${yearsOf(folds)}\n${ratioFootnote()}`;
}

/** Fills the lake from a simulator started here (the config must point at one): `--sim-days`. */
async function backfillFromSimulator(options: TrainCliOptions, root: string, io: CliIo): Promise<void> {
  const config = loadConfig(options.config, io.env);
  if (config.simulator === undefined)
    throw new MjolnirError(
      'input_invalid',
      '--sim-days needs a config pointing at the simulator (simulator: ...)',
    );
  const { simulatedLake } = await import('@mjolnir/lib/research');
  io.stderr.write(`backfilling ${options.simDays} days of simulated bars into ${root}\n`);
  const filled = await simulatedLake({ root, configPath: options.config, days: options.simDays! });
  filled.lake.close();
}

/**
 * Each epoch as it ends: on a terminal one line redrawn (epochs done, the latest figures), in a log a
 * line each (folds on several threads interleave, each line names its fold).
 */
function epochProgress(io: CliIo, epochs: number) {
  const tty = io.stderr.isTTY === true;
  let done = 0;
  return {
    epoch: (label: string, e: EpochLog) => {
      done++;
      const text = `${label} epoch ${String(e.epoch).padStart(3)}/${epochs}  loss ${e.loss.toFixed(4)}  val_loss ${e.valLoss.toFixed(4)}  val_acc ${pct(e.valAccuracy)}`;
      io.stderr.write(tty ? `\r[${done} epochs trained] ${text}\x1b[K` : `${text}\n`);
    },
    done: () => {
      if (tty) io.stderr.write('\n');
    },
  };
}

/** What a training run made: its dataset, its folds' table, the model and where it was saved. */
async function printTrained(result: TrainResult, horizon: number, on: string, io: CliIo): Promise<void> {
  const { describeDropped } = await import('@mjolnir/lib/train');
  const dropped = describeDropped(result.dataset.dropped);
  io.stdout.write(
    `dataset: ${num(result.dataset.rows)} rows, label ${horizon} bars ahead in time${dropped === '' ? '' : `; left out: ${dropped}`}\n`,
  );
  io.stdout.write(foldTable(result.folds));
  const final = result.final;
  io.stdout.write(
    `model ${result.modelId}: trained on ${num(final.train.rows)} rows ${day(final.train.start_ts)} .. ${day(final.train.end_ts)}\n` +
      `  best epoch ${final.bestEpoch} of ${final.history.length}, on ${on}\n` +
      `saved: ${result.dir}\n`,
  );
}

async function train(options: TrainCliOptions, io: CliIo): Promise<void> {
  const config = loadConfig(options.config, io.env);
  if (config.train === undefined)
    throw new MjolnirError(
      'config_invalid',
      `${options.config} has no train section: it says what to train (see configs/train-sim.yaml)`,
    );
  const t = config.train;
  const stream = streamOf(config);
  const { backendFromEnv, selectBackend, trainModel } = await import('@mjolnir/lib/train');
  const backend = await selectBackend(backendFromEnv({ TF_BACKEND: options.backend }));
  io.stderr.write(`tfjs ${backend.version} on ${backend.detail}\n`);
  const root = dataRoot(options.dataRoot, io.env);
  if (options.simDays !== undefined) await backfillFromSimulator(options, root, io);
  const series = await readAllBars(root, stream, io);
  if (series.length === 0)
    throw new MjolnirError(
      'input_invalid',
      `no bars of ${stream.exchange} ${stream.symbol} ${stream.timeframe} in ${root} (mjolnir backfill first)`,
    );
  io.stderr.write(
    `training on ${num(series.length)} bars of ${stream.symbol} ${stream.timeframe} (${day(series.ts[0]!)} .. ${day(series.ts[series.length - 1]!)})\n`,
  );
  const progress = epochProgress(io, t.epochs);
  const result = await trainModel({
    series,
    stream,
    config,
    horizon: t.horizon,
    folds: { train: t.train_rows, test: t.test_rows, anchored: t.anchored },
    hp: {
      hidden: t.hidden,
      learningRate: t.learning_rate,
      epochs: t.epochs,
      batchSize: t.batch_size,
      patience: t.patience,
      validationFraction: t.validation_fraction,
      seed: t.seed,
    },
    backend,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(t.train_end === undefined ? {} : { trainEnd: t.train_end }),
    modelsDir: modelsDir({ ...io.env, DATA_ROOT: root }),
    codeVersion: codeVersion(io.env),
    onEpoch: progress.epoch,
    ...(options.queue === undefined ? {} : { fit: await queuedFit(options, stream, series, io) }),
  });
  progress.done();
  await printTrained(result, t.horizon, backend.detail, io);
  if (options.deploy !== undefined) {
    writeFileSync(options.deploy, deployedConfigText(readFileSync(options.config, 'utf8'), result.modelId));
    io.stdout.write(
      `deployed: ${options.deploy} trades model ${result.modelId} (${paperCommand(options.deploy, root, io.env)})\n`,
    );
  } else
    io.stdout.write(`to trade it: strategy.model: ${result.modelId} in a paper config (or --deploy FILE)\n`);
}

/**
 * Training's networks on a queue's workers: the bars exported as a snapshot, one shard per network,
 * the fits back in order (the same weights as on threads here: each network is seeded on its own).
 */
async function queuedFit(options: TrainCliOptions, stream: Stream, series: BarSeries, io: CliIo) {
  const { assembleFits, checkRedis, exportSnapshot, foldShards, queueAddress, submitRun } = await import(
    '@mjolnir/lib/scale'
  );
  const address = queueAddress(options.queue!);
  const facts = await checkRedis(address);
  const snapshots = snapshotsOf(options, io.env);
  const snapshot = exportSnapshot(snapshots, stream, series);
  return async (specs: readonly FoldSpec[]) => {
    const shards = foldShards(specs, snapshot.snapshot_id, codeVersion(io.env));
    io.stderr.write(
      `queue: redis ${facts.version} at ${address.shown}; ${shards.length} networks over snapshot ${snapshot.snapshot_id.slice(0, 12)} (${snapshots})\n`,
    );
    const progress = new Progress('train', io.stderr);
    const results = await submitRun(
      address,
      { kind: 'train', shards },
      { onProgress: (done, total) => progress.update(done, total, 'networks') },
    );
    progress.done();
    return assembleFits(results, specs);
  };
}

/** A word as the shell reads it back: quoted when it holds anything but plain path characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The command that trades a deployed config, with the data root or models folder the model is in. */
function paperCommand(
  config: string,
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const where = env['MODELS_DIR']
    ? ` MODELS_DIR=${shellWord(resolve(env['MODELS_DIR']))}`
    : resolve(root) === resolve('data')
      ? ''
      : ` DATA_ROOT=${shellWord(resolve(root))}`;
  return `make paper CONFIG=${shellWord(config)}${where}`;
}

export function registerTrain(program: Command, io: CliIo): void {
  program
    .command('train')
    .description(
      "walk-forward training of the config's model strategy on the lake's bars; saves models/<model_id>/",
    )
    .addOption(configOption('configs/train-sim.yaml'))
    .option('--data-root <dir>', 'data root (DATA_ROOT); models go to <root>/models unless MODELS_DIR')
    .option('--threads <n>', 'worker threads for the folds (default all cores)', countOption)
    .addOption(
      envOption('--backend <name>', 'tensorflow, wasm or cpu (default the best present)', 'TF_BACKEND'),
    )
    .option(
      '--sim-days <n>',
      'first backfill n days from a simulator started here (a simulator config)',
      countOption,
    )
    .option('--deploy <file>', 'write a paper config trading the new model to this file')
    .addOption(
      envOption('--queue <url>', "train the networks on a queue's workers: redis://host:port/db", 'QUEUE'),
    )
    .addOption(
      envOption(
        '--snapshots <dir>',
        'shared folder of bar snapshots the workers read (default <data root>/snapshots)',
        'SNAPSHOTS_DIR',
      ),
    )
    .action((options: TrainCliOptions) => train(options, io));
}
