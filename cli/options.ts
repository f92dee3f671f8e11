import { join } from 'node:path';
import {
  type BarSeries,
  type Config,
  type MarketKey,
  MjolnirError,
  parseTimeframe,
  SYMBOL_PATTERN,
  streamsOf,
  symbolFromText,
  type Timeframe,
  type TimeframeLabel,
  usesVenueRules,
  withVenueStatement,
} from '@mjolnir/lib';
import type { Lake } from '@mjolnir/lib/store';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from './io.js';

/** Parses a non-negative integer option (underscores allowed: 1_000_000). */
export function intOption(value: string): number {
  const parsed = Number(value.replaceAll('_', ''));
  if (value.trim() === '' || !Number.isSafeInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}

/** Parses a positive whole number (a count that must not be zero). */
export function countOption(value: string): number {
  const parsed = intOption(value);
  if (parsed === 0) throw new InvalidArgumentError(`expected a whole number above 0, got "${value}"`);
  return parsed;
}

/** Parses a positive number option. */
export function numberOption(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return parsed;
}

/** Parses a TCP port: 1-65535, or 0 for any free port. */
export function portOption(value: string): number {
  const parsed = intOption(value);
  if (parsed > 65_535) throw new InvalidArgumentError(`expected a port 0-65535, got "${value}"`);
  return parsed;
}

/** Parses an instant: epoch milliseconds or ISO-8601 (a date or time without zone is UTC). */
export function timeOption(value: string): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return Number(trimmed);
  const iso =
    /([zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed) || /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? trimmed : `${trimmed}Z`;
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(parsed))
    throw new InvalidArgumentError(
      `expected epoch ms or an ISO time such as 2024-01-01T00:00Z, got "${value}"`,
    );
  return parsed;
}

/** Parses a timeframe label (1m .. 1d). */
export function timeframeOption(value: string): Timeframe {
  const parsed = parseTimeframe(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
  return parsed.value;
}

/** The label of a parsed timeframe option. */
export const labelOf = (tf: Timeframe): TimeframeLabel => tf.label;

/**
 * Parses a unified symbol (BTC/USDT). The runbooks' path form (BTC_USD) is read as BTC/USD; an
 * exchange's own id (BTCUSDT) is refused, since it would file the bars under a tree of its own.
 */
export function symbolOption(value: string): string {
  // Also as in data paths (BTC_USD, BTC_USDT-USDT): read by symbolPath's inverse.
  const symbol = symbolFromText(value);
  if (!SYMBOL_PATTERN.test(symbol))
    throw new InvalidArgumentError(
      `expected a unified symbol such as BTC/USDT (BASE/QUOTE, upper case), got "${value}"`,
    );
  return symbol;
}

/** Parses an exchange id as ccxt spells them (lower case letters and digits). */
export function exchangeOption(value: string): string {
  if (!/^[a-z][a-z0-9]*$/.test(value))
    throw new InvalidArgumentError(`expected an exchange id such as binance or coinbase, got "${value}"`);
  return value;
}

/**
 * An option that an environment variable may give (the runbooks' variables). The variable is read and
 * parsed only by the command that runs, when it runs: a malformed one never breaks another command
 * or `--help`, and a bad value is a usage error naming the variable (exit 2).
 */
export function envOption<T>(
  flags: string,
  description: string,
  variable: string,
  parse?: (value: string) => T,
  fallback?: T,
): Option {
  const option = new Option(flags, description).env(variable);
  if (parse !== undefined) option.argParser(parse);
  if (fallback !== undefined) option.default(fallback);
  return option;
}

/** A command's environment (CliIo.env). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Whether a runbook flag variable is set on (STOP_THROUGH=1). */
export function envFlag(env: Env, variable: string): boolean {
  const value = env[variable];
  return value === '1' || value === 'true';
}

/** The data root: --data-root, else DATA_ROOT, else ./data (docs/contracts.md). */
export function dataRoot(option: string | undefined, env: Env): string {
  return option ?? (env['DATA_ROOT'] || 'data');
}

/**
 * A config saying `market_rules: venue` with the rules its venue stated, as the paper loop or backfill
 * stored them in the lake (what LIVE traded under): a backtest, eqflat or sweep applies the same. None
 * stored is refused; any other config is returned as it is.
 */
export async function withStoredRules(config: Config, lake: Lake): Promise<Config> {
  if (!usesVenueRules(config)) return config;
  const { readRulesSnapshot } = await import('@mjolnir/lib/store');
  const stream = streamsOf(config)[0]!;
  const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
  const snapshot = readRulesSnapshot(lake.layout, key);
  if (snapshot === null)
    throw new MjolnirError(
      'input_invalid',
      `the config asks for the venue's market rules or fees, but none of ${key.exchange} ${key.symbol} are stored in ${lake.layout.root}: the paper loop and backfill read them from the venue`,
    );
  return withVenueStatement(
    config,
    { rules: snapshot.rules, fees: snapshot.fees ?? null },
    `${key.exchange} ${key.symbol}`,
  );
}

/** Where bar snapshots are exported to and read from: `--snapshots`, else `<data root>/snapshots`. */
export function snapshotsOf(options: { snapshots?: string; dataRoot?: string }, env: Env): string {
  return options.snapshots ?? join(dataRoot(options.dataRoot, env), 'snapshots');
}

/** Adds `--start` and `--end` (START_TS_MS, END_TS_MS): a window of bar close times. */
export function withWindow(command: Command): Command {
  return command
    .addOption(envOption('--start <time>', 'first bar close of the window', 'START_TS_MS', timeOption))
    .addOption(envOption('--end <time>', 'last bar close of the window', 'END_TS_MS', timeOption));
}

/** The window `withWindow` parsed, or a usage error saying what is missing. */
export function windowOf(options: { start?: number; end?: number }): { start: number; end: number } {
  if (options.start === undefined || options.end === undefined)
    throw new MjolnirError('input_invalid', 'needs --start and --end (START_TS_MS, END_TS_MS)');
  if (options.end < options.start)
    throw new MjolnirError('input_invalid', `--end ${options.end} is before --start ${options.start}`);
  return { start: options.start, end: options.end };
}

/** The lake under a data root, its recoveries (a stale lock taken over, a damaged cache file) on stderr. */
export async function openLake(root: string, io: CliIo): Promise<Lake> {
  // DuckDB loads here, on first use: commands that never open the lake (and --help) start faster.
  const { Lake } = await import('@mjolnir/lib/store');
  return Lake.open(root, {
    onWarning: ({ code, path, message }) => io.stderr.write(`warning [${code}] ${path}: ${message}\n`),
  });
}

/** `--grace <bars>` (HEALTH_GRACE_BARS, default 2): how far a decision may lag before health FAILs it. */
export const graceOption = () =>
  envOption(
    '--grace <bars>',
    'bars a decision may lag the last closed slot',
    'HEALTH_GRACE_BARS',
    countOption,
    2,
  );

/** `-c, --config` for the operator views: only this config's streams, judged by its exchange's time. */
export const streamsConfigOption = () =>
  envOption('-c, --config <file>', "only this config's streams, judged by its exchange's time", 'CONFIG');

/** Every stored bar of one stream (the lake opened and closed around the read). */
export async function readAllBars(root: string, key: MarketKey, io: CliIo): Promise<BarSeries> {
  const lake = await openLake(root, io);
  try {
    return await lake.read(key, 0, Number.MAX_SAFE_INTEGER);
  } finally {
    lake.close();
  }
}
