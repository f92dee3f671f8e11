import { readFileSync } from 'node:fs';
import {
  type BarSeries,
  describeSystemError,
  isoUtc,
  MjolnirError,
  seriesFromBars,
  systemClock,
  type Timeframe,
  timeframe,
} from '@mjolnir/lib';
import {
  FaultPlan,
  faultSchema,
  ReplaySource,
  SIM_VENUES,
  type SimBarSource,
  type SimServer,
  type SimVenue,
  SyntheticSource,
  startSimServer,
  VirtualClock,
} from '@mjolnir/lib/sim';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from '../io.js';
import {
  countOption,
  dataRoot,
  envFlag,
  envOption,
  intOption,
  numberOption,
  openLake,
  portOption,
  symbolOption,
  timeframeOption,
  timeOption,
} from '../options.js';

interface SimOptions {
  venue: SimVenue;
  port: number;
  host: string;
  speed: number;
  seed: number;
  start?: number;
  symbols?: string[];
  historyDays: number;
  replay?: string;
  replayFormat?: 'freqtrade' | 'csv' | 'lake';
  replayTimeframe: Timeframe;
  timestamps?: 'open' | 'close';
  faults?: string;
  dataRoot?: string;
  quiet?: boolean;
  verbose?: boolean;
  summaryEvery: number;
}

/** The markets a venue's simulator serves when none are named. */
const VENUE_SYMBOLS: Readonly<Record<SimVenue, string[]>> = {
  binance: ['BTC/USDT', 'ETH/USDT'],
  coinbase: ['BTC/USD', 'ETH/USD'],
};

/** A venue the simulator speaks. */
export function venueOption(value: string): SimVenue {
  if (!(SIM_VENUES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected ${SIM_VENUES.join(' or ')}, got "${value}"`);
  return value as SimVenue;
}

/** A comma-separated list of unified symbols. */
function symbolsOption(value: string): string[] {
  return value.split(',').map((symbol) => symbolOption(symbol));
}

async function loadReplay(
  options: SimOptions,
  symbol: string,
  io: CliIo,
): Promise<{ series: BarSeries; tf: Timeframe }> {
  const tf = options.replayTimeframe;
  const file = options.replay!;
  const format =
    options.replayFormat ?? (file.endsWith('.json') ? 'freqtrade' : file.endsWith('.csv') ? 'csv' : 'lake');
  if (format === 'lake') {
    // --replay <exchange>: the stream of that exchange, symbol and timeframe in the lake.
    const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
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
  const text = readText(file, 'replay');
  if (format === 'csv' && options.timestamps === undefined) {
    throw new MjolnirError(
      'input_invalid',
      '--timestamps open|close is required with a CSV: say which time the file keys bars by',
    );
  }
  const { parseFreqtradeJson, parseOhlcvCsv } = await import('@mjolnir/lib/store');
  const parsed =
    format === 'freqtrade' ? parseFreqtradeJson(text, tf) : parseOhlcvCsv(text, tf, options.timestamps!);
  return { series: seriesFromBars(parsed.bars), tf };
}

/** A file the simulator reads, or an error naming it. */
function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new MjolnirError(
      'input_invalid',
      `cannot read the ${what} file ${file}: ${describeSystemError(error)}`,
    );
  }
}

function loadFaults(file: string | undefined): FaultPlan {
  if (file === undefined) return new FaultPlan();
  let raw: unknown;
  try {
    raw = parseYaml(readText(file, 'faults'));
  } catch (error) {
    if (error instanceof MjolnirError) throw error;
    throw new MjolnirError('config_invalid', `${file}: not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    throw new MjolnirError(
      'config_invalid',
      `${file}: expected a mapping of fault settings (docs/simulator.md)`,
    );
  const settings = raw as Record<string, unknown> | null;
  const parsed = faultSchema.safeParse(
    (settings && 'faults' in settings ? settings['faults'] : settings) ?? {},
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MjolnirError('config_invalid', `${file}: faults.${issue.path.join('.')}: ${issue.message}`);
  }
  return new FaultPlan(parsed.data);
}

/** What `sim` does (its options parsed by commander). */
async function simCommand(options: SimOptions, io: CliIo): Promise<void> {
  const symbols = options.symbols ?? VENUE_SYMBOLS[options.venue];
  const markets: Record<string, SimBarSource> = {};
  let start = options.start;
  for (const symbol of symbols) {
    if (options.replay !== undefined) {
      const { series, tf } = await loadReplay(options, symbol, io);
      const source = new ReplaySource(tf, series);
      markets[symbol] = source;
      start ??= source.firstClose + 300 * tf.ms;
    } else {
      start ??= Math.floor(systemClock.now() / 60_000) * 60_000;
      markets[symbol] = new SyntheticSource(start - options.historyDays * 86_400_000, options.seed, symbol);
    }
  }
  const clock = new VirtualClock(start!, options.speed, systemClock);
  const faults = loadFaults(options.faults);
  const verbose = options.verbose === true || envFlag(io.env, 'SIM_VERBOSE');
  const server = await startSimServer({
    host: options.host,
    port: options.port,
    clock,
    markets,
    faults,
    venue: options.venue,
    ...(verbose ? { log: (line: string) => io.stdout.write(`${line}\n`) } : {}),
  });
  // Quiet by default: a line a minute says what was asked, not a line per request.
  const tally = { requests: {} as Record<string, number>, faults: 0 };
  const summary =
    options.quiet === true || verbose
      ? null
      : setInterval(() => io.stdout.write(`${requestSummary(server, tally)}\n`), options.summaryEvery);
  io.stdout.write(
    `Simulated exchange listening on ${server.url} (${options.venue} API), ${symbols.join(', ')}, ` +
      `virtual start ${new Date(start!).toISOString()}, speed ${options.speed}x` +
      `${options.replay ? `, replaying ${options.replay}` : `, seed ${options.seed}`}\n`,
  );
  const stop = io.shutdown((signal, repeated) => {
    if (repeated) io.stderr.write(`${signal}: already stopping\n`);
  });
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve));
  if (summary !== null) clearInterval(summary);
  await server.close();
  io.stdout.write('Simulated exchange stopped\n');
}

/** Where the bars come from: synthetic history before the start, or recorded bars replayed. */
function withBarSource(command: Command): Command {
  return command
    .option('--history-days <days>', 'synthetic history before the start', intOption, 30)
    .option(
      '--replay <source>',
      'replay recorded bars: a freqtrade .json, a .csv, or an exchange id in the lake',
    )
    .addOption(
      new Option('--replay-format <format>', 'the replay source (default: by file extension)').choices([
        'freqtrade',
        'csv',
        'lake',
      ]),
    )
    .addOption(
      new Option('--replay-timeframe <tf>', 'timeframe of the replayed bars')
        .argParser(timeframeOption)
        .default(timeframe('5m'), '5m'),
    )
    .addOption(
      new Option('--timestamps <key>', 'for CSV replay: whether times are bar open or close').choices([
        'open',
        'close',
      ]),
    )
    .addOption(
      envOption('--faults <file>', 'YAML with fault injection settings (docs/simulator.md)', 'SIM_FAULTS'),
    );
}

export function registerSim(program: Command, io: CliIo): void {
  const command = program
    .command('sim')
    .description(
      "the simulated exchange: Binance's or Coinbase's public spot REST API on loopback (--venue), with a virtual clock and fault injection",
    )
    .addOption(
      envOption(
        '--venue <id>',
        `whose public API it speaks: ${SIM_VENUES.join(' or ')}`,
        'VENUE',
        venueOption,
        'binance',
      ),
    )
    .addOption(envOption('--port <port>', 'port (0: any free one)', 'SIM_PORT', portOption, 8765))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      envOption(
        '--speed <factor>',
        'virtual seconds per real second (300 = one 5m bar per second)',
        'SIM_SPEED',
        numberOption,
        300,
      ),
    )
    .addOption(
      envOption('--seed <seed>', 'seed of the synthetic markets and faults', 'SIM_SEED', intOption, 42),
    )
    .addOption(
      envOption(
        '--start <time>',
        'virtual start time, epoch ms or ISO (default now, or 300 bars into a replay)',
        'SIM_START',
        timeOption,
      ),
    )
    .addOption(
      new Option(
        '--symbols <list>',
        "comma-separated unified symbols (default: the venue's BTC and ETH)",
      ).argParser(symbolsOption),
    );
  withBarSource(command)
    .option('--data-root <dir>', 'data root for --replay-format lake (DATA_ROOT)')
    .option('--quiet', 'no summary lines either: the start and stop lines only')
    .option('--verbose', 'a line for every request (SIM_VERBOSE=1)')
    .addOption(
      envOption(
        '--summary-every <ms>',
        'a summary line this often (requests by endpoint, faults injected)',
        'SIM_SUMMARY_MS',
        countOption,
        60_000,
      ),
    )
    .action((options: Parameters<typeof simCommand>[0]) => simCommand(options, io));
}

/**
 * The requests since the last summary, by endpoint, and the faults injected meanwhile; `tally` keeps
 * the totals seen at the last one.
 */
function requestSummary(
  server: SimServer,
  tally: { requests: Record<string, number>; faults: number },
): string {
  const now = server.clock.now();
  const counts = Object.entries(server.requests)
    .map(([path, n]) => [path, n - (tally.requests[path] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  tally.requests = { ...server.requests };
  const injected = Object.values(server.faults.injected).reduce((a, n) => a + n, 0);
  const faults = injected - tally.faults;
  tally.faults = injected;
  const total = counts.reduce((a, [, n]) => a + n, 0);
  const by = counts.map(([path, n]) => `${path} ${n}`).join(', ');
  return `${new Date().toISOString()} virtual ${isoUtc(now)}: ${total} request(s)${total > 0 ? ` (${by})` : ''}, ${faults} fault(s) injected (SIM_VERBOSE=1 logs each request)`;
}
