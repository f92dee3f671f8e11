import { MjolnirError } from '@mjolnir/lib';
import { type Command, InvalidArgumentError } from 'commander';

/** Parses a non-negative integer option (underscores allowed: 1_000_000). */
export function intOption(value: string): number {
  const parsed = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}

/** Parses a positive number option. */
export function numberOption(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return parsed;
}

/** Parses an instant: epoch milliseconds or ISO-8601 (a date or time without zone is UTC). */
export function timeOption(value: string): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const iso =
    /([zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed) || /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? trimmed : `${trimmed}Z`;
  const parsed = Date.parse(iso);
  if (Number.isNaN(parsed))
    throw new InvalidArgumentError(
      `expected epoch ms or an ISO time such as 2024-01-01T00:00Z, got "${value}"`,
    );
  return parsed;
}

/** The data root: --data-root, else DATA_ROOT, else ./data (CONTRACTS.md). */
export function dataRoot(option: string | undefined): string {
  return option ?? process.env['DATA_ROOT'] ?? 'data';
}

const envTime = (name: string): number | undefined => {
  const value = process.env[name];
  return value ? timeOption(value) : undefined;
};

/** Adds `--start` and `--end` (START_TS_MS, END_TS_MS): a window of bar close times. */
export function withWindow(command: Command): Command {
  return command
    .option(
      '--start <time>',
      'first bar close of the window (START_TS_MS)',
      timeOption,
      envTime('START_TS_MS'),
    )
    .option('--end <time>', 'last bar close of the window (END_TS_MS)', timeOption, envTime('END_TS_MS'));
}

/** The window `withWindow` parsed, or a usage error saying what is missing. */
export function windowOf(options: { start?: number; end?: number }): { start: number; end: number } {
  if (options.start === undefined || options.end === undefined)
    throw new MjolnirError('input_invalid', 'needs --start and --end (START_TS_MS, END_TS_MS)');
  return { start: options.start, end: options.end };
}
