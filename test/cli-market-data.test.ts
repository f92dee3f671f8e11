import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsFromSeries, generateSeries, timeframe, tsMs } from '@mjolnir/lib';
import { Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliRun, ROOT } from './support/processes.js';

const dataRoot = mkdtempSync(join(tmpdir(), 'mjolnir-cli-md-'));
let sim: ChildProcess;
let port = 0;

const cli = (args: string[], env: Record<string, string> = {}) =>
  cliRun(args, { DATA_ROOT: dataRoot, SIM_PORT: String(port), ...env });

beforeAll(async () => {
  sim = spawn(
    process.execPath,
    [
      CLI,
      'sim',
      '--port',
      '0',
      '--speed',
      '60',
      '--start',
      '2024-01-10T00:00Z',
      '--history-days',
      '4',
      '--quiet',
    ],
    {
      cwd: ROOT,
    },
  );
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    sim.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    sim.once('exit', (code) => reject(new Error(`sim exited with ${code}: ${out}`)));
  });
});

afterAll(() => {
  if (sim.exitCode === null) sim.kill('SIGKILL');
});

describe('market data from the command line', () => {
  it('backfill -> lake gaps -> resample against `mjolnir sim`, and a rerun fetches only what is new', () => {
    const first = cli(['backfill', '-c', 'configs/sim.yaml', '--start', '2024-01-08T00:00Z']);
    expect(first.stderr).toContain('100.0%');
    expect(first.stdout).toMatch(/BTC\/USDT 5m: \d+ bars in \d+ pages/);
    expect(first.code).toBe(0);
    const again = cli(['backfill', '-c', 'configs/sim.yaml', '--start', '2024-01-08T00:00Z']);
    expect(again.stdout).toMatch(/slots already covered/);
    const covered = Number(/(\d+) slots already covered/.exec(again.stdout)![1]);
    expect(covered).toBeGreaterThanOrEqual(576);

    const gaps = cli([
      'lake',
      'gaps',
      '--exchange',
      'sim',
      '--symbol',
      'BTC/USDT',
      '--timeframe',
      '5m',
      '--json',
    ]);
    const report = JSON.parse(gaps.stdout) as { missing: number; present: number; expected: number };
    expect(report).toMatchObject({ missing: 0 });
    expect(report.present).toBe(report.expected);
    const hourly = cli([
      'lake',
      'resample',
      '--exchange',
      'sim',
      '--symbol',
      'BTC/USDT',
      '--timeframe',
      '5m',
      '--to',
      '1h',
    ]);
    expect(hourly.stdout.split('\n')[0]).toBe('ts_ms,open,high,low,close,volume');
    // Two days back from the simulated start: 47 complete hours (the newest hour is still filling).
    expect(hourly.stdout.trim().split('\n').length - 1).toBeGreaterThanOrEqual(47);
  });

  it('output piped into `head` (the reader goes away early): the command ends quietly, exit 0', async () => {
    const big = mkdtempSync(join(tmpdir(), 'mjolnir-cli-pipe-'));
    const lake = await Lake.open(big);
    try {
      const series = generateSeries(
        { seed: 1, timeframe: timeframe('1m'), startTs: tsMs(Date.UTC(2023, 0, 1, 0, 1)) },
        30_000,
      );
      await lake.write({ exchange: 'kraken', symbol: 'XBT/EUR', timeframe: '1m' }, barsFromSeries(series));
    } finally {
      lake.close();
    }
    // Some 600 KB of CSV, far more than a pipe holds: the writes after `head` exits fail with EPIPE.
    const command = `"${process.execPath}" "${CLI}" lake resample --exchange kraken --symbol XBT/EUR --timeframe 1m --to 3m | head -1; exit \${PIPESTATUS[0]}`;
    const piped = spawnSync('bash', ['-c', command], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATA_ROOT: big },
    });
    expect(piped.stdout).toBe('ts_ms,open,high,low,close,volume\n');
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });

  it('a backfill from before the exchange has history says how much of the request never existed', () => {
    const early = cli(['backfill', '-c', 'configs/sim.yaml', '--start', '2023-12-01T00:00Z', '--no-compact']);
    expect(early.code).toBe(0);
    // The simulator's history starts four days before 2024-01-10.
    expect(early.stderr).toMatch(
      /note: the exchange has no BTC\/USDT 5m bars before 2024-01-06T00:05:00\.000Z: [\d,]+ of the [\d,]+ requested slots \((8\d|9\d)%\) precede its history/,
    );
  });

  it('import validates the file, lists what it flags, and stores the rest', () => {
    const file = join(dataRoot, 'candles.json');
    const open = Date.UTC(2023, 5, 1);
    const rows = Array.from({ length: 300 }, (_, i) => [open + i * 60_000, 10, 11, 9, 10.5, 1]);
    rows[7] = [open + 7 * 60_000, 10, 8, 9, 10.5, 1]; // high below low: kept and flagged
    rows.splice(20, 0, rows[20]!); // a duplicate
    writeFileSync(file, JSON.stringify(rows));
    const imported = cli([
      'import',
      file,
      '--exchange',
      'kraken',
      '--symbol',
      'XBT/EUR',
      '--timeframe',
      '1m',
    ]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('300 bars into');
    expect(imported.stdout).toContain('2 rows flagged (high_below_low: 1, duplicate: 1)');
    const info = cli(['lake', 'info', '--exchange', 'kraken', '--symbol', 'XBT/EUR', '--timeframe', '1m']);
    expect(info.stdout).toContain('1 days, 2023-06-01T00:01:00.000Z .. 2023-06-01T05:00:00.000Z');
    expect(
      cli([
        'import',
        file,
        '--exchange',
        'kraken',
        '--symbol',
        'XBT/EUR',
        '--timeframe',
        '1m',
        '--format',
        'csv',
      ]).code,
    ).toBe(2);
  });

  it('a file whose bars are 5m apart is refused as 1h (nothing stored), and a non-unified symbol too', () => {
    const file = join(dataRoot, 'five-minutes.csv');
    const open = Date.UTC(2023, 6, 1);
    const lines = Array.from({ length: 288 }, (_, i) => `${open + i * 300_000},10,11,9,10.5,1`);
    writeFileSync(file, `timestamp,open,high,low,close,volume\n${lines.join('\n')}\n`);
    const args = ['import', file, '--exchange', 'kraken', '--timestamps', 'open'];
    const wrong = cli([...args, '--symbol', 'XBT/EUR', '--timeframe', '1h']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      "the file's bars are 5m apart (287 of its 287 steps), not 1h: refusing to store them as 1h bars (import with --timeframe 5m)",
    );
    expect(
      cli(['lake', 'info', '--exchange', 'kraken', '--symbol', 'XBT/EUR', '--timeframe', '1h']).code,
    ).toBe(2);
    const raw = cli([...args, '--symbol', 'XBTEUR', '--timeframe', '5m']);
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain('expected a unified symbol such as BTC/USDT');
    const right = cli([...args, '--symbol', 'XBT_EUR', '--timeframe', '5m']);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain('288 bars into');
  });

  it('exchange time reports the simulator clock; the simulator stops cleanly on SIGTERM', async () => {
    const time = cli(['exchange', 'time', '-c', 'configs/sim.yaml']);
    expect(time.stdout).toMatch(/binance: server time 2024-01-1\dT/);
    const exited = new Promise<number | null>((resolve) => sim.once('exit', resolve));
    let said = '';
    sim.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    sim.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(said).toContain('Simulated exchange stopped');
  });
});
