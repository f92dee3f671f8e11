import {
  isoUtc,
  type LoadedModel,
  loadConfig,
  MjolnirError,
  modelNamed,
  systemClock,
  timeframe,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { columns } from '../format.js';
import type { CliIo } from '../io.js';
import { countOption, dataRoot, envOption, openLake, readAllBars, timeOption } from '../options.js';
import { configOption, streamOf } from './backtest.js';

/** What `monitor` does (its options parsed by commander). */
async function monitorCommand(
  o: {
    config: string;
    symbols?: string;
    maxStalenessBars: number;
    now?: number;
    dataRoot?: string;
  },
  io: CliIo,
): Promise<void> {
  const { freshness } = await import('@mjolnir/lib/train');
  const config = loadConfig(o.config, io.env);
  const base = streamOf(config);
  const symbols =
    o.symbols
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? config.symbols;
  const tf = timeframe(base.timeframe);
  const now = o.now ?? systemClock.now();
  const lake = await openLake(dataRoot(o.dataRoot, io.env), io);
  const lines: string[][] = [['symbol', 'newest bar', 'behind', 'verdict']];
  let stale = 0;
  /** The oldest newest bar of a stale symbol: where a backfill starts. */
  let oldest: number | null = null;
  try {
    for (const symbol of symbols) {
      const bounds = await lake.bounds({ ...base, symbol });
      const f = freshness(bounds?.last ?? null, now, tf.ms, o.maxStalenessBars);
      if (f.stale) {
        stale++;
        if (f.lastTs !== null) oldest = Math.min(oldest ?? f.lastTs, f.lastTs);
      }
      lines.push([
        symbol,
        f.lastTs === null ? 'none' : new Date(f.lastTs).toISOString(),
        f.lastTs === null ? 'no bars' : `${f.behindBars} bars`,
        f.stale ? 'STALE' : 'OK',
      ]);
    }
  } finally {
    lake.close();
  }
  io.stdout.write(
    `${columns(lines)}\nas of ${new Date(now).toISOString()}, at most ${o.maxStalenessBars} closed ${tf.label} bars behind\n`,
  );
  if (stale > 0)
    io.stdout.write(refreshAdvice(o.config, oldest, config.simulator !== undefined, o.now === undefined));
  io.setExitCode(stale === 0 ? EXIT.ok : EXIT.failed);
}

/** What `validate-oos` does (its options parsed by commander). */
async function validateOosCommand(
  o: { model: string; evalStart: number; evalEnd: number; dataRoot?: string },
  io: CliIo,
): Promise<void> {
  const { validateOos } = await import('@mjolnir/lib/train');
  const verdict = validateOos(trainWindow(modelById(o.model, io.env)), {
    start_ts: o.evalStart,
    end_ts: o.evalEnd,
  });
  io.stdout.write(`model ${o.model}: ${verdict.message}\n`);
  io.setExitCode(verdict.ok ? EXIT.ok : EXIT.failed);
}

/** What `drift` does (its options parsed by commander). */
async function driftCommand(o: DriftOptions, io: CliIo): Promise<void> {
  const { buildDataset, featureDrift } = await import('@mjolnir/lib/train');
  const { modelFeatures, MODEL_FEATURE_NAMES } = await import('@mjolnir/lib');
  const config = loadConfig(o.config, io.env);
  const stream = streamOf(config);
  const reference =
    o.model !== undefined
      ? trainWindow(modelById(o.model, io.env))
      : o.refStart !== undefined && o.refEnd !== undefined
        ? { start_ts: o.refStart, end_ts: o.refEnd }
        : null;
  if (reference === null)
    throw new MjolnirError('input_invalid', 'drift needs --model ID or --ref-start and --ref-end');
  const all = await readAllBars(dataRoot(o.dataRoot, io.env), stream, io);
  const rows = buildDataset(all, modelFeatures.create(), {
    horizon: 1,
    label: 'return',
    barMs: timeframe(stream.timeframe).ms,
  });
  const { ref, live, shared } = driftWindows(rows, MODEL_FEATURE_NAMES.length, reference, o.liveBars);
  if (shared > 0)
    io.stdout.write(
      `overlap: ${shared} of the newest ${o.liveBars} bars are in the reference window (${isoUtc(reference.start_ts)} .. ${isoUtc(reference.end_ts)}): left out of the live window, ${live.rows} remain\n`,
    );
  if (live.rows < 10)
    throw new MjolnirError(
      'input_invalid',
      `drift needs at least 10 live bars outside the reference window, only ${live.rows} of the newest ${o.liveBars} are: wait for newer bars (make paper stores them, mjolnir backfill fetches them) or compare against an earlier reference (--ref-start/--ref-end)`,
    );
  const scores = featureDrift(MODEL_FEATURE_NAMES, ref, live);
  const tf = timeframe(stream.timeframe);
  io.stdout.write(
    `reference ${ref.rows} rows, live ${live.rows} rows (the newest ${o.liveBars} bars of ${stream.symbol} ${tf.label}${shared > 0 ? ' after the reference' : ''})\n` +
      `${columns([['feature', 'PSI', 'level'], ...scores.map((s) => [s.feature, s.psi.toFixed(4), s.level.toUpperCase()])])}\n`,
  );
  const drifted = scores.filter((s) => s.level === 'drift');
  io.stdout.write(
    drifted.length === 0
      ? 'OK: no feature drifted\n'
      : `DRIFT: ${drifted.map((s) => s.feature).join(', ')}\n`,
  );
  io.setExitCode(drifted.length === 0 ? EXIT.ok : EXIT.failed);
}

/** The model `id` under the models directory (the command's data root, `--data-root` included, unless MODELS_DIR). */
function modelById(id: string, env: Readonly<Record<string, string | undefined>>): LoadedModel {
  return modelNamed(id, env);
}

function trainWindow(model: LoadedModel): { start_ts: number; end_ts: number } {
  const train = model.manifest.train;
  if (typeof train?.start_ts !== 'number' || typeof train.end_ts !== 'number')
    throw new MjolnirError('data_invalid', `model ${model.id}: its manifest has no training window`);
  return { start_ts: train.start_ts, end_ts: train.end_ts };
}

function registerValidateOos(program: Command, io: CliIo): void {
  program
    .command('validate-oos')
    .description("exit 1 when an evaluation window overlaps the model's training window (its manifest)")
    .requiredOption('--model <id>', 'model id (models/<id>/)')
    .requiredOption('--eval-start <time>', 'first bar close of the evaluation (epoch ms or ISO)', timeOption)
    .requiredOption('--eval-end <time>', 'last bar close of the evaluation', timeOption)
    .option('--data-root <dir>', 'data root (DATA_ROOT); models in <root>/models unless MODELS_DIR')
    .action((o: Parameters<typeof validateOosCommand>[0]) => validateOosCommand(o, io));
}

interface DriftOptions {
  config: string;
  model?: string;
  refStart?: number;
  refEnd?: number;
  liveBars: number;
  dataRoot?: string;
}

/** Feature rows as drift compares them. */
interface FeatureRows {
  readonly x: Float32Array;
  readonly rows: number;
}

/**
 * The reference rows (inside the reference window) and the live rows: the newest `liveBars` rows,
 * less any inside the reference (a bar compared with itself shows no drift), and how many those were.
 */
function driftWindows(
  dataset: { readonly ts: Float64Array; readonly x: Float32Array; readonly rows: number },
  features: number,
  reference: { start_ts: number; end_ts: number },
  liveBars: number,
): { ref: FeatureRows; live: FeatureRows; shared: number } {
  const pick = (keep: (ts: number, i: number) => boolean): FeatureRows => {
    const idx = Array.from(dataset.ts.keys()).filter((i) => keep(dataset.ts[i]!, i));
    const x = new Float32Array(idx.length * features);
    idx.forEach((r, k) => {
      x.set(dataset.x.subarray(r * features, (r + 1) * features), k * features);
    });
    return { x, rows: idx.length };
  };
  const inReference = (ts: number) => ts >= reference.start_ts && ts <= reference.end_ts;
  const newest = (i: number) => i >= dataset.rows - liveBars;
  const live = pick((ts, i) => newest(i) && !inReference(ts));
  const shared = Math.min(liveBars, dataset.rows) - live.rows;
  return { ref: pick(inReference), live, shared };
}

function registerDrift(program: Command, io: CliIo): void {
  program
    .command('drift')
    .description(
      'feature drift (PSI, 10 bins): a reference window against the latest bars; exit 1 when a feature drifted (PSI > 0.25)',
    )
    .addOption(configOption())
    .addOption(envOption('--model <id>', "reference: the model's training window", 'MODEL'))
    .option('--ref-start <time>', 'reference window start (without --model)', timeOption)
    .option('--ref-end <time>', 'reference window end (without --model)', timeOption)
    .addOption(
      envOption(
        '--live-bars <n>',
        'the live window: the newest n bars in the lake',
        'LIVE_BARS',
        countOption,
        1000,
      ),
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action((o: Parameters<typeof driftCommand>[0]) => driftCommand(o, io));
}

function registerMonitor(program: Command, io: CliIo): void {
  program
    .command('monitor')
    .description("data freshness: exit 1 when a symbol's newest stored bar is more than N closed bars old")
    .addOption(configOption())
    .addOption(envOption('--symbols <list>', "comma-separated symbols (default the config's)", 'SYMBOLS'))
    .addOption(
      envOption(
        '--max-staleness-bars <n>',
        'closed bars a symbol may lag',
        'MAX_STALENESS_BARS',
        countOption,
        3,
      ),
    )
    .option('--now <time>', 'judge as of this time (default the machine clock)', timeOption)
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action((o: Parameters<typeof monitorCommand>[0]) => monitorCommand(o, io));
}

/** What refreshes stale bars: the command to run, and for a simulator's bars which clock dates them. */
function refreshAdvice(
  config: string,
  since: number | null,
  simulated: boolean,
  machineClock: boolean,
): string {
  const start = since === null ? '<first bar wanted>' : isoUtc(since);
  const lines = [
    `to refresh: mjolnir backfill -c ${config} --start ${start}, or run the paper loop (make paper CONFIG=${config}), which stores every closed bar`,
  ];
  if (simulated && machineClock)
    lines.push(
      "this config reads a simulator: its bars are dated by the simulator's virtual clock, not this machine's; judge them with --now <the simulator's time> (mjolnir health reads it)",
    );
  return `${lines.join('\n')}\n`;
}

export function registerMonitors(program: Command, io: CliIo): void {
  registerValidateOos(program, io);
  registerDrift(program, io);
  registerMonitor(program, io);
}
