/**
 * The CLI's option and environment parsing, fuzzed: every command run in-process with random
 * options, values and runbook environment variables must end with 0, 1 or 2 and never print a stack
 * trace. Relative paths land in a scratch directory; every exchange the configs name is a closed
 * port on loopback (fails at once); long-running commands are asked to shut down before they start.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barAt, generateSeries, timeframe, tsMs } from '@mjolnir/lib';
import { Lake } from '@mjolnir/lib/store';
import type { Command, Option } from 'commander';
import fc from 'fast-check';
import type { DestinationStream } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import { symbolOption } from './options.js';
import { createProgram, runCli } from './program.js';

/** An io that keeps what is written and asks every long-running command to stop at once. */
function captureIo(): CliIo & { readonly text: () => string } {
  let text = '';
  const output = {
    write: (chunk: string) => {
      text += chunk;
    },
    isTTY: false,
  };
  const stopped = new AbortController();
  stopped.abort();
  return {
    env: { ...process.env },
    stdout: output,
    stderr: output,
    logDestination: (): DestinationStream => output,
    setExitCode: () => {},
    shutdown: () => stopped.signal,
    text: () => text,
  };
}

const COMMANDS = [
  [],
  ['demo'],
  ['engine'],
  ['config', 'check'],
  ['strategies'],
  ['sim'],
  ['paper'],
  ['backfill'],
  ['import'],
  ['exchange', 'time'],
  ['lake', 'gaps'],
  ['lake', 'resample'],
  ['lake', 'compact'],
  ['lake', 'info'],
  ['backtest'],
  ['eq'],
  ['eqflat'],
  ['sweep'],
  ['lookahead'],
  ['nonsense'],
];

/** Values an operator might type for each option: most plausible, some wrong; any flag may get garbage. */
const PLAUSIBLE: Record<string, readonly string[]> = {
  '--start': ['2024-03-01', '2024-03-01T06:00', '2024-03-02', '1709251200000', '0', 'PASTE_START_TS_MS'],
  '--end': ['2024-03-01T12:00', '2024-03-02', '2024-03-05', '1709337600000', '2024-13-45'],
  '--warmup-from': ['2024-02-29', '2024-03-01', 'x'],
  '--config': ['configs/sim.yaml', 'configs/default.yaml', 'configs/bad.yaml', 'missing.yaml'],
  '--bars': ['1', '5', '30', '0', '-1', 'abc', '99999999999'],
  '--seed': ['1', '42', '-3', 'x'],
  '--speed': ['300', '60000', '1e12', '0', '-5', '0.001'],
  '--port': ['0', '65536', 'abc', '9'],
  '--host': ['127.0.0.1', 'localhost', '💥', '256.1.1.1'],
  '--symbol': ['BTC/USDT', 'BTC_USDT', 'BTCUSDT', 'ETH/USDT', 'btc/usdt'],
  '--symbols': ['BTC/USDT', 'BTC/USDT,ETH/USDT', 'x'],
  '--exchange': ['sim', 'binance', 'Binance'],
  '--timeframe': ['5m', '1h', '7m'],
  '--to': ['15m', '1h', '1m', '7m'],
  '--replay-timeframe': ['5m', '1m', '7m'],
  '--runid': ['r1', 'r2', '../x', 'a b'],
  '--data-root': ['data', 'other', 'bars.csv'],
  '--grid': ['fast=5:20:5', 'slow=21,26', 'fast=a', 'x', 'fast=5:20:0', 'fast=30', 'fast=1e9:2e9:1'],
  '--sort': ['sharpe', 'return', 'nope'],
  '--top': ['0', '1', '3', '-1'],
  '--workers': ['0', '1', '2', 'x'],
  '--cuts': ['0', '1', '3', '100000'],
  '--history-days': ['0', '1', '3', '-1'],
  '--format': ['csv', 'freqtrade', 'xml'],
  '--timestamps': ['open', 'close', 'mid'],
  '--faults': ['faults.yaml', 'missing.yaml', 'bars.csv'],
  '--replay': ['bars.csv', 'bars.json', 'sim', 'missing.json'],
  '--replay-format': ['csv', 'freqtrade', 'lake', 'x'],
  '--live-tag': ['sim', 'e2e', 'sim_bt_r1'],
  '--bt-tag': ['sim_bt_r1', 'nope'],
};
const SHORT: Record<string, string> = { '-c': '--config', '-n': '--bars', '-g': '--grid' };

const GARBAGE = ['', ' ', 'abc', 'NaN', 'Infinity', '99999999999999999999', '-1', '../escape', '💥'];

const ENV: Record<string, readonly string[]> = {
  START_TS_MS: ['2024-03-01T06:00', 'PASTE_START_TS_MS', '0'],
  END_TS_MS: ['2024-03-01T12:00', 'x'],
  SIM_SPEED: ['-5', '600', 'abc'],
  SIM_PORT: ['abc', '0', '70000'],
  SIM_SEED: ['7', 'x'],
  SIM_START: ['2024-03-01', 'x'],
  SIM_FAULTS: ['faults.yaml', 'missing.yaml'],
  DEMO_BARS: ['abc', '0', '2'],
  RUNID: ['r1', 'bad id'],
  DATA_TAG: ['sim', 'x y'],
  SYMBOL: ['BTC_USDT', 'nonsense'],
  TIMEFRAME: ['5m', '7m'],
  CCXT_EXCHANGE: ['binance', 'notanexchange'],
  CONFIG: ['configs/sim.yaml', 'missing.yaml'],
  LOG_LEVEL: ['debug', 'loud'],
  STOP_THROUGH: ['1'],
  FORCE_FETCH_FAIL: ['1'],
  ENFORCE_DECISION_MONOTONIC: ['1'],
  DRY_RUN: ['0', '1'],
};

const garbage = fc.oneof(fc.constantFrom(...GARBAGE), fc.string({ maxLength: 10 }));
const valueFor = (flag: string) => {
  const plausible = PLAUSIBLE[SHORT[flag] ?? flag];
  return plausible === undefined
    ? garbage
    : fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...plausible) }, { weight: 1, arbitrary: garbage });
};
/** An option: its flag and, mostly, a value of its kind (none for switches, or to test a missing one). */
const optionOf = (flags: readonly string[]) =>
  fc
    .constantFrom(...flags)
    .chain((flag) => fc.tuple(fc.constant(flag), fc.option(valueFor(flag), { nil: undefined, freq: 8 })));
const environment = fc
  .subarray(Object.keys(ENV), { maxLength: 3 })
  .chain((names) =>
    fc
      .tuple(...names.map((name) => fc.oneof(fc.constantFrom(...ENV[name]!), garbage)))
      .map((values) => Object.fromEntries(names.map((name, i) => [name, values[i]!]))),
  );

/**
 * The flags a command declares, and those it requires (read from the program itself), so most
 * generated options are its own and most invocations get past the required ones.
 */
function flagsOf(path: readonly string[]): { own: string[]; required: string[] } {
  let command: Command | undefined = createProgram(captureIo());
  for (const name of path) command = command?.commands.find((c) => c.name() === name);
  const options = command?.options ?? [];
  const flag = (option: Option) => option.long ?? option.short ?? '--help';
  return { own: options.map(flag), required: options.filter((o) => o.mandatory).map(flag) };
}

const invocation = fc.constantFrom(...COMMANDS).chain((command) => {
  const { own, required } = flagsOf(command);
  const takesFiles = command[0] === 'import' || command[0] === 'config';
  const files = [
    'bars.csv',
    'bars.json',
    'bars-5m.csv',
    'missing.json',
    'configs/sim.yaml',
    'configs/bad.yaml',
  ];
  const extra = fc.oneof(
    { weight: 8, arbitrary: optionOf(own.length > 0 ? own : ['--help']) },
    { weight: 1, arbitrary: optionOf(Object.keys(PLAUSIBLE)) },
  );
  return fc.record({
    command: fc.constant(command),
    required: fc.tuple(...required.map((flag) => fc.tuple(fc.constant(flag), valueFor(flag)))),
    options: fc.array(extra, { maxLength: 4 }),
    positional: takesFiles
      ? fc.constantFrom(...files)
      : fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: garbage }),
    env: environment,
  });
});

let scratch = '';
const home = process.cwd();
const savedEnv = { ...process.env };

/** A config whose exchange is a closed port on loopback, asked once (no waiting on retries). */
const unreachable = (extra = '') => `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
simulator: { port: 9, speed: 300 }
strategy: { id: ema_cross_atr }
fetch: { timeout_ms: 500, attempts: 1 }
${extra}`;

/** Six days of 5m bars (2024-02-27 .. 2024-03-03) in the scratch lake, so data commands get far. */
async function storeBars(root: string): Promise<void> {
  const bars = generateSeries(
    { seed: 3, timeframe: timeframe('5m'), startTs: tsMs(Date.UTC(2024, 1, 27) + 300_000) },
    6 * 288,
  );
  const lake = await Lake.open(root);
  try {
    await lake.write(
      { exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m' },
      Array.from({ length: bars.length }, (_, i) => barAt(bars, i)),
    );
  } finally {
    lake.close();
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'mjolnir-fuzz-'));
  await storeBars(join(scratch, 'data'));
  writeFileSync(
    join(scratch, 'bars-5m.csv'),
    `timestamp,open,high,low,close,volume\n${Array.from({ length: 40 }, (_, i) => `${1709251200000 + i * 300_000},1,2,0.5,1.5,10`).join('\n')}\n`,
  );
  mkdirSync(join(scratch, 'configs'));
  writeFileSync(join(scratch, 'configs/sim.yaml'), unreachable('data_tag: sim'));
  writeFileSync(join(scratch, 'configs/default.yaml'), unreachable());
  writeFileSync(join(scratch, 'configs/bad.yaml'), 'exchange: [oops\n');
  writeFileSync(join(scratch, 'faults.yaml'), 'faults: { server_error: 2 }\n');
  writeFileSync(
    join(scratch, 'bars.csv'),
    'timestamp,open,high,low,close,volume\n1709251200000,1,2,0.5,1.5,10\n',
  );
  writeFileSync(
    join(scratch, 'bars.json'),
    '[[1709251200000,1,2,0.5,1.5,10],[1709251500000,1,2,0.5,1.5,10]]',
  );
  process.chdir(scratch);
});
afterAll(() => {
  process.chdir(home);
});

/** One in-process run of `mjolnir argv` under `env` (the runbook variables only those given): exit code and output. */
async function run(argv: readonly string[], env: Record<string, string> = {}) {
  for (const name of Object.keys(ENV)) delete process.env[name];
  Object.assign(process.env, { DATA_ROOT: join(scratch, 'data') }, env);
  const io = captureIo();
  try {
    return { code: await runCli(['node', 'mjolnir', ...argv], io), text: io.text() };
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  }
}

describe('mjolnir option and environment parsing', () => {
  it("--data-root is the command's DATA_ROOT, the process environment left as it was", async () => {
    const before = process.env['DATA_ROOT'];
    const io = captureIo();
    const argv = [
      'lake',
      'gaps',
      '--data-root',
      join(scratch, 'elsewhere'),
      '--exchange',
      'sim',
      '--symbol',
      'BTC/USDT',
    ];
    const code = await runCli(['node', 'mjolnir', ...argv, '--timeframe', '5m'], io);
    expect(code).toBe(2);
    expect(io.text()).toContain(`no bars stored under ${join(scratch, 'elsewhere', 'raw')}`);
    expect(process.env['DATA_ROOT']).toBe(before);
  });

  it('no argv and no runbook variable gives a stack trace or an exit code other than 0, 1 or 2', async () => {
    await fc.assert(
      fc.asyncProperty(invocation, async ({ command, required, options, positional, env }) => {
        const argv = [
          ...command,
          ...[...required, ...options].flatMap(([flag, v]) => (v === undefined ? [flag] : [flag, v])),
        ];
        if (positional !== undefined) argv.push(positional);
        const { code, text } = await run(argv, env);
        const context = `mjolnir ${argv.join(' ')} with ${JSON.stringify(env)}:\n${text}`;
        expect([0, 1, 2], context).toContain(code);
        expect(text, context).not.toMatch(/\n\s+at \S+ \(|unexpected error/);
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it.each([
    [
      ['backtest'],
      { START_TS_MS: 'PASTE_START_TS_MS' },
      "value 'PASTE_START_TS_MS' from env 'START_TS_MS' is invalid",
    ],
    [['sim'], { SIM_PORT: 'abc' }, "value 'abc' from env 'SIM_PORT' is invalid"],
    [['sim'], { SIM_SPEED: '-5' }, "value '-5' from env 'SIM_SPEED' is invalid. expected a positive number"],
    [['demo'], { DEMO_BARS: 'abc' }, "value 'abc' from env 'DEMO_BARS' is invalid"],
    [
      ['sim', '--faults', 'missing.yaml'],
      {},
      'cannot read the faults file missing.yaml: no such file or directory',
    ],
    [['sim', '--faults', 'bars.csv'], {}, 'bars.csv: expected a mapping of fault settings'],
    [
      ['import', 'missing.json', '--exchange', 'sim', '--symbol', 'BTC/USDT', '--timeframe', '5m'],
      {},
      'cannot read missing.json: no such file or directory (ENOENT)',
    ],
    [
      ['import', 'bars.json', '--exchange', 'sim', '--symbol', 'BTCUSDT', '--timeframe', '5m'],
      {},
      'expected a unified symbol such as BTC/USDT',
    ],
    [['engine', '--bars', '99999999999'], {}, 'at most 50,000,000 bars'],
    [
      ['lake', 'gaps', '--exchange', 'sim', '--symbol', 'BTC/USDT', '--timeframe', '7m'],
      {},
      'unknown timeframe "7m"',
    ],
    [['paper'], { LOG_LEVEL: 'loud' }, 'LOG_LEVEL=loud: expected one of'],
  ] as const)('%j with %j: exit 2, one line naming the culprit', async (argv, env, says) => {
    const { code, text } = await run(argv, env);
    expect(code).toBe(2);
    expect(text).toContain(says);
    expect(text).not.toMatch(/\n\s+at \S+ \(/);
  });

  it('a malformed runbook variable breaks only the command that reads it', async () => {
    const env = { START_TS_MS: 'PASTE_START_TS_MS', END_TS_MS: 'PASTE_END_TS_MS' };
    expect((await run(['--help'], env)).code).toBe(0);
    expect((await run(['strategies'], env)).code).toBe(0);
    const paper = await run(['paper'], env);
    expect(paper.text).toContain('Shutdown complete');
    expect(paper.code).toBe(0);
  });
});

describe('--symbol', () => {
  it("takes a unified symbol or the data paths' form, read by symbolPath's inverse (swaps included)", () => {
    expect(symbolOption('BTC/USDT')).toBe('BTC/USDT');
    expect(symbolOption('BTC_USD')).toBe('BTC/USD');
    expect(symbolOption('BTC_USDT-USDT')).toBe('BTC/USDT:USDT');
    expect(() => symbolOption('btc-usd')).toThrow('expected a unified symbol such as BTC/USDT');
  });
});
