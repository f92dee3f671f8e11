/**
 * The read side following a growing journal: `openRun` on a decisions.csv of 10M rows (a year of 1m
 * decisions is half a million) and on one of 1k rows, then 1k rows appended to each, again and again,
 * each followed by a refresh. The refresh must cost what the new bytes cost, not what the file
 * holds: target median(refresh, 10M-row file) / median(refresh, 1k-row file) <= 2. The first read of
 * the 10M-row file is reported too. The healthcheck on each file likewise (it reads only the tails).
 *
 *   make bench-journal          (JOURNAL_ROWS=10000000, JOURNAL_ROUNDS=15)
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DataLayout,
  DECISION_COLUMNS,
  evaluateHealth,
  gatherHealth,
  machineTime,
  openRun,
} from '@mjolnir/lib';
import { BAR, FIRST, median, write } from './journal-lines.js';

const ROWS = Number(process.env['JOURNAL_ROWS'] ?? 10_000_000);
const ROUNDS = Number(process.env['JOURNAL_ROUNDS'] ?? 15);
const APPEND = 1_000;
const TARGET = 2;
const say = (line: string) => process.stderr.write(`${line}\n`);

const root = mkdtempSync(join(tmpdir(), 'mjolnir-bench-journal-'));
try {
  const layout = new DataLayout(root);
  const runs: Record<string, { rows: number; path: string }> = {
    big: { rows: ROWS, path: layout.decisions('big', 'BTC/USDT', '1m') },
    small: { rows: APPEND, path: layout.decisions('small', 'BTC/USDT', '1m') },
  };
  for (const { rows, path } of Object.values(runs)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${DECISION_COLUMNS.join(',')}\n`);
    say(`writing ${rows.toLocaleString('en-US')} rows (setup, not measured)...`);
    write(path, 0, rows);
  }
  const started = performance.now();
  const big = openRun(root, 'big', 'BTC/USDT', '1m');
  const firstRead = performance.now() - started;
  const small = openRun(root, 'small', 'BTC/USDT', '1m');
  if (big.decisions.length !== ROWS || small.decisions.length !== APPEND) throw new Error('rows lost');
  const refreshes = { big: [] as number[], small: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['big', 'small'] as const) {
      const target = runs[name]!;
      write(target.path, target.rows, APPEND);
      target.rows += APPEND;
      const view = name === 'big' ? big : small;
      const t = performance.now();
      const taken = view.refresh();
      refreshes[name].push(performance.now() - t);
      if (taken.decisions !== APPEND) throw new Error(`took ${taken.decisions} rows, expected ${APPEND}`);
    }
  }
  // The healthcheck reads only the tails: its cost must not follow the journal's length either.
  const checks = { big: [] as number[], small: [] as number[] };
  const now = FIRST + (ROWS + ROUNDS * APPEND) * BAR;
  for (let round = 0; round < ROUNDS; round++)
    for (const name of ['big', 'small'] as const) {
      const t = performance.now();
      const facts = await gatherHealth(root, [{ tag: name, symbol: 'BTC/USDT', timeframe: '1m' }], {
        wallNow: now,
        timeOf: async () => machineTime(now, null),
        rawTail: async () => null,
      });
      if (evaluateHealth(facts).streams[0]!.checks.length === 0) throw new Error('no checks');
      checks[name].push(performance.now() - t);
    }
  const healthRatio = median(checks.big) / median(checks.small);
  const ratio = median(refreshes.big) / median(refreshes.small);
  const mb = statSync(runs['big']!.path).size / 1048576;
  process.stdout.write(
    `journal read side: ${ROWS.toLocaleString('en-US')}-row decisions.csv (${mb.toFixed(0)} MB) vs 1k rows, ${APPEND} rows appended then a refresh, median of ${ROUNDS}; node ${process.version}\n` +
      `  first read of the big file   ${firstRead.toFixed(0)} ms  (${(ROWS / (firstRead / 1000) / 1e6).toFixed(2)}M rows/s, ${(mb / (firstRead / 1000)).toFixed(0)} MB/s)\n` +
      `  refresh, big file            ${median(refreshes.big).toFixed(2)} ms\n` +
      `  refresh, 1k-row file         ${median(refreshes.small).toFixed(2)} ms\n` +
      `  ratio ${ratio.toFixed(2)}  target <= ${TARGET}: ${ratio <= TARGET ? 'MET' : 'MISSED'}\n` +
      `  health (tails only), big file ${median(checks.big).toFixed(2)} ms, 1k-row file ${median(checks.small).toFixed(2)} ms\n` +
      `  ratio ${healthRatio.toFixed(2)}  target <= ${TARGET}: ${healthRatio <= TARGET ? 'MET' : 'MISSED'}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
