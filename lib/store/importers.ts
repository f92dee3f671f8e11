import { MjolnirError } from '../core/index.js';
import { type RawBarRow, type ValidatedBars, validateRows } from '../market/index.js';
import { TIMEFRAMES, type Timeframe, timeframe } from '../time/index.js';

/** Whether a file's timestamps mark the bar's open (freqtrade, ccxt, most exports) or its close. */
export type TimestampKey = 'open' | 'close';

const toNumber = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);

/** A spacing in words: the timeframe it is, or minutes. */
function spacingLabel(ms: number): string {
  const label = TIMEFRAMES.find((tf) => timeframe(tf).ms === ms);
  return label ?? `${ms / 60_000} minutes`;
}

/**
 * Refuses a file whose own bar spacing contradicts the timeframe it is imported as (a 5m file as 1h
 * would keep every twelfth bar; a 1h file as 5m would leave eleven slots of twelve empty): the most
 * common step between consecutive bars must be the timeframe.
 */
export function checkSpacing(rows: readonly RawBarRow[], tf: Timeframe): void {
  const times = [...new Set(rows.map((row) => row.ts).filter(Number.isSafeInteger))].sort((a, b) => a - b);
  if (times.length < 3) return;
  const steps = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const step = times[i]! - times[i - 1]!;
    steps.set(step, (steps.get(step) ?? 0) + 1);
  }
  const [step, count] = [...steps].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  if (step === tf.ms) return;
  const label = spacingLabel(step);
  throw new MjolnirError(
    'data_invalid',
    `the file's bars are ${label} apart (${count} of its ${times.length - 1} steps), not ${tf.label}: ` +
      `refusing to store them as ${tf.label} bars${TIMEFRAMES.includes(label as never) ? ` (import with --timeframe ${label})` : ''}`,
  );
}

/**
 * freqtrade's OHLCV JSON: `[[open_ms, open, high, low, close, volume], ...]`, keyed by bar OPEN.
 * Rows are validated; problems come back flagged with their row index.
 */
export function parseFreqtradeJson(text: string, tf: Timeframe): ValidatedBars {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MjolnirError('data_invalid', `not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data))
    throw new MjolnirError('data_invalid', 'expected a JSON array of [open_ms, o, h, l, c, v] rows');
  const rows: RawBarRow[] = data.map((row: unknown, at) => {
    const cells = Array.isArray(row) && row.length >= 6 ? row : [];
    return {
      at,
      ts: toNumber(cells[0]) + tf.ms,
      open: toNumber(cells[1]),
      high: toNumber(cells[2]),
      low: toNumber(cells[3]),
      close: toNumber(cells[4]),
      volume: toNumber(cells[5]),
    };
  });
  checkSpacing(rows, tf);
  return validateRows(rows, tf);
}

const TIME_COLUMNS = ['timestamp', 'ts_ms', 'ts', 'time', 'date', 'datetime', 'open_time', 'close_time'];

/** A CSV timestamp as UTC ms: epoch ms, epoch seconds, or ISO text (no zone means UTC). */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) {
    const value = Number(trimmed);
    // Below 1e11 it cannot be milliseconds of any date after 1973: seconds.
    return Math.round(Math.abs(value) < 1e11 ? value * 1000 : value);
  }
  const iso = trimmed.replace(' ', 'T');
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  return Date.parse(zoned);
}

/**
 * A CSV with a header naming a time column and open/high/low/close/volume (any case, any order;
 * comma, semicolon or tab separated). `key` says whether the time is the bar's open or close.
 */
export function parseOhlcvCsv(text: string, tf: Timeframe, key: TimestampKey): ValidatedBars {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new MjolnirError('data_invalid', 'empty CSV');
  const header = lines[headerIndex]!;
  const separator = [',', ';', '\t'].find((s) => header.includes(s)) ?? ',';
  const names = header.split(separator).map((n) => n.trim().toLowerCase().replace(/^"|"$/g, ''));
  const column = (wanted: readonly string[]) => names.findIndex((n) => wanted.includes(n));
  const time = column(TIME_COLUMNS);
  const fields = {
    open: column(['open']),
    high: column(['high']),
    low: column(['low']),
    close: column(['close']),
    volume: column(['volume', 'vol']),
  };
  const absent = Object.entries(fields)
    .filter(([, i]) => i < 0)
    .map(([name]) => name);
  if (time < 0) absent.unshift(`a time column (${TIME_COLUMNS.join('/')})`);
  if (absent.length > 0) {
    throw new MjolnirError('data_invalid', `CSV header "${header.trim()}" lacks ${absent.join(', ')}`);
  }
  const shift = key === 'open' ? tf.ms : 0;
  const rows: RawBarRow[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(separator);
    const number = (index: number) =>
      cells[index] === undefined || cells[index]!.trim() === '' ? Number.NaN : Number(cells[index]);
    rows.push({
      at: i + 1,
      ts: parseTimestamp(cells[time] ?? '') + shift,
      open: number(fields.open),
      high: number(fields.high),
      low: number(fields.low),
      close: number(fields.close),
      volume: number(fields.volume),
    });
  }
  checkSpacing(rows, tf);
  return validateRows(rows, tf);
}
