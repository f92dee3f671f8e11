import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const dataRoot = mkdtempSync(join(tmpdir(), 'mjolnir-cli-md-'));
let sim: ChildProcess;
let port = 0;

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATA_ROOT: dataRoot, SIM_PORT: String(port), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

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
