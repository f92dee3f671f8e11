import { readFileSync } from 'node:fs';
import {
  type BarSeries,
  FaultPlan,
  faultSchema,
  Lake,
  MjolnirError,
  parseFreqtradeJson,
  parseOhlcvCsv,
  parseTimeframe,
  ReplaySource,
  type SimBarSource,
  SyntheticSource,
  seriesFromBars,
  startSimServer,
  systemClock,
  type Timeframe,
  VirtualClock,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { dataRoot, intOption, numberOption, timeOption } from '../options.js';

interface SimOptions {
  port: number;
  host: string;
  speed: number;
  seed: number;
  start?: number;
  symbols: string;
  historyDays: number;
  replay?: string;
  replayFormat?: 'freqtrade' | 'csv' | 'lake';
  replayTimeframe: string;
  timestamps?: 'open' | 'close';
  faults?: string;
  dataRoot?: string;
  quiet?: boolean;
}

const env = process.env;

function timeframeOf(label: string): Timeframe {
  const parsed = parseTimeframe(label);
  if (!parsed.ok) throw new MjolnirError('input_invalid', parsed.error);
  return parsed.value;
}

async function loadReplay(
  options: SimOptions,
  symbol: string,
): Promise<{ series: BarSeries; tf: Timeframe }> {
  const tf = timeframeOf(options.replayTimeframe);
  const file = options.replay!;
  const format =
    options.replayFormat ?? (file.endsWith('.json') ? 'freqtrade' : file.endsWith('.csv') ? 'csv' : 'lake');
  if (format === 'lake') {
    // --replay <exchange>: the stream of that exchange, symbol and timeframe in the lake.
    const lake = await Lake.open(dataRoot(options.dataRoot));
    try {
      const series = await lake.read(
        { exchange: file, symbol, timeframe: tf.label },
        0,
        Number.MAX_SAFE_INTEGER,
      );
      return { series, tf };
    } finally {
      lake.close();
    }
  }
  const text = readFileSync(file, 'utf8');
  if (format === 'csv' && options.timestamps === undefined) {
    throw new MjolnirError(
      'input_invalid',
      '--timestamps open|close is required with a CSV: say which time the file keys bars by',
    );
  }
  const parsed =
    format === 'freqtrade' ? parseFreqtradeJson(text, tf) : parseOhlcvCsv(text, tf, options.timestamps!);
  return { series: seriesFromBars(parsed.bars), tf };
}

function loadFaults(file: string | undefined): FaultPlan {
  if (file === undefined) return new FaultPlan();
  const raw = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  const parsed = faultSchema.safeParse((raw && 'faults' in raw ? raw['faults'] : raw) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MjolnirError('config_invalid', `${file}: faults.${issue.path.join('.')}: ${issue.message}`);
  }
  return new FaultPlan(parsed.data);
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description(
      "the simulated exchange: Binance's public spot REST API on loopback, with a virtual clock and fault injection",
    )
    .option('--port <port>', 'port (SIM_PORT)', intOption, Number(env['SIM_PORT'] ?? 8765))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--speed <factor>',
      'virtual seconds per real second (SIM_SPEED; 300 = one 5m bar per second)',
      numberOption,
      Number(env['SIM_SPEED'] ?? 300),
    )
    .option(
      '--seed <seed>',
      'seed of the synthetic markets and faults (SIM_SEED)',
      intOption,
      Number(env['SIM_SEED'] ?? 42),
    )
    .option(
      '--start <time>',
      'virtual start time, epoch ms or ISO (SIM_START; default now, or 300 bars into a replay)',
      timeOption,
    )
    .option('--symbols <list>', 'comma-separated unified symbols', 'BTC/USDT,ETH/USDT')
    .option('--history-days <days>', 'synthetic history before the start', intOption, 30)
    .option(
      '--replay <source>',
      'replay recorded bars: a freqtrade .json, a .csv, or an exchange id in the lake',
    )
    .option('--replay-format <format>', 'freqtrade | csv | lake (default: by file extension)')
    .option('--replay-timeframe <tf>', 'timeframe of the replayed bars', '5m')
    .option('--timestamps <key>', 'for CSV replay: whether times are bar open or close')
    .option('--faults <file>', 'YAML with fault injection settings (see docs/simulator.md)')
    .option('--data-root <dir>', 'data root for --replay-format lake (DATA_ROOT)')
    .option('--quiet', 'do not log each request')
    .action(async (options: SimOptions) => {
      const symbols = options.symbols.split(',').map((s) => s.trim());
      const envStart = env['SIM_START'] ? timeOption(env['SIM_START']) : undefined;
      const markets: Record<string, SimBarSource> = {};
      let start = options.start ?? envStart;
      for (const symbol of symbols) {
        if (options.replay !== undefined) {
          const { series, tf } = await loadReplay(options, symbol);
          const source = new ReplaySource(tf, series);
          markets[symbol] = source;
          start ??= source.firstClose + 300 * tf.ms;
        } else {
          start ??= Math.floor(systemClock.now() / 60_000) * 60_000;
          markets[symbol] = new SyntheticSource(
            start - options.historyDays * 86_400_000,
            options.seed,
            symbol,
          );
        }
      }
      const clock = new VirtualClock(start!, options.speed, systemClock);
      const faults = loadFaults(options.faults);
      const server = await startSimServer({
        host: options.host,
        port: options.port,
        clock,
        markets,
        faults,
        ...(options.quiet ? {} : { log: (line: string) => process.stdout.write(`${line}\n`) }),
      });
      process.stdout.write(
        `Simulated exchange listening on ${server.url} (binance API), ${symbols.join(', ')}, ` +
          `virtual start ${new Date(start!).toISOString()}, speed ${options.speed}x` +
          `${options.replay ? `, replaying ${options.replay}` : `, seed ${options.seed}`}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      process.stdout.write('Simulated exchange stopped\n');
    });
}
