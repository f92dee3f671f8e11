/**
 * The dashboard's cost on a long journal: its sources (a bounded RunWatch per stream) first read a
 * 10M-row decisions.csv, then 1k rows are appended again and again, each followed by what a redraw
 * does (refresh, snapshot, view model). Reported: the first read, the refresh cost per new row on the
 * 10M-row file vs a 1k-row one (target ratio <= 2), and the memory the dashboard holds after
 * reading the 10M rows (heap and RSS growth; target: bounded, under 64 MB of heap).
 *
 *   make bench-dashboard        (JOURNAL_ROWS=10000000, JOURNAL_ROUNDS=15)
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataLayout, DECISION_COLUMNS, DEFAULT_HEALTH, type LiveStream } from '@mjolnir/lib';
import { buildView, DashboardSources } from '@mjolnir/tui';
import { median, write } from './journal-lines.js';

const ROWS = Number(process.env['JOURNAL_ROWS'] ?? 10_000_000);
const ROUNDS = Number(process.env['JOURNAL_ROUNDS'] ?? 15);
const APPEND = 1_000;
const HEAP_TARGET_MB = 64;
const say = (line: string) => process.stderr.write(`${line}\n`);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => bytes / 1048576;

function sourcesFor(root: string, stream: LiveStream): DashboardSources {
  return new DashboardSources({
    dataRoot: root,
    streams: () => [stream],
    clock: { now: () => 0 },
    healthOptions: DEFAULT_HEALTH,
    health: async () => ({ status: 'OK', mode: 'operator', now: 0, streams: [], clock: 'machine' }),
  });
}

/** One redraw's work after new rows: take them in, snapshot, compute the view. */
function redraw(sources: DashboardSources): number {
  const taken = sources.refresh();
  buildView(sources.data(), { selected: 0, help: false, width: 100, height: 30 });
  return taken;
}

const root = mkdtempSync(join(tmpdir(), 'mjolnir-bench-dashboard-'));
try {
  const layout = new DataLayout(root);
  const streams = {
    big: { tag: 'big', symbol: 'BTC/USDT', timeframe: '1m' } as LiveStream,
    small: { tag: 'small', symbol: 'BTC/USDT', timeframe: '1m' } as LiveStream,
  };
  const rows = { big: ROWS, small: APPEND };
  const path = (name: 'big' | 'small') => layout.decisions(name, 'BTC/USDT', '1m');
  for (const name of ['big', 'small'] as const) {
    mkdirSync(dirname(path(name)), { recursive: true });
    writeFileSync(path(name), `${DECISION_COLUMNS.join(',')}\n`);
    say(`writing ${rows[name].toLocaleString('en-US')} rows (setup, not measured)...`);
    write(path(name), 0, rows[name]);
  }
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const big = sourcesFor(root, streams.big);
  // The first read comes 16 MB a redraw (the keys answer between), until the journal is caught up.
  let read = 0;
  let redraws = 0;
  for (let taken = -1; taken !== 0; redraws++) {
    taken = redraw(big);
    read += taken;
  }
  if (read !== ROWS) throw new Error('rows lost');
  const firstRead = performance.now() - started;
  gc();
  const after = process.memoryUsage();
  const small = sourcesFor(root, streams.small);
  redraw(small);
  const times = { big: [] as number[], small: [] as number[] };
  for (let round = 0; round < ROUNDS; round++)
    for (const name of ['big', 'small'] as const) {
      write(path(name), rows[name], APPEND);
      rows[name] += APPEND;
      const t = performance.now();
      const taken = redraw(name === 'big' ? big : small);
      times[name].push(performance.now() - t);
      if (taken !== APPEND) throw new Error(`took ${taken} rows, expected ${APPEND}`);
    }
  const ratio = median(times.big) / median(times.small);
  const heap = mb(after.heapUsed - before.heapUsed);
  const size = mb(statSync(path('big')).size);
  process.stdout.write(
    `dashboard sources: ${ROWS.toLocaleString('en-US')}-row decisions.csv (${size.toFixed(0)} MB) vs 1k rows, ${APPEND} rows appended then a redraw's work, median of ${ROUNDS}; node ${process.version}\n` +
      `  first read of the big file     ${firstRead.toFixed(0)} ms  (${(ROWS / (firstRead / 1000) / 1e6).toFixed(2)}M rows/s, over ${redraws} redraws: ${(firstRead / redraws).toFixed(0)} ms each)\n` +
      `  per new row, big file          ${((median(times.big) / APPEND) * 1000).toFixed(2)} us  (${median(times.big).toFixed(2)} ms per ${APPEND})\n` +
      `  per new row, 1k-row file       ${((median(times.small) / APPEND) * 1000).toFixed(2)} us\n` +
      `  ratio ${ratio.toFixed(2)}  target <= 2: ${ratio <= 2 ? 'MET' : 'MISSED'}\n` +
      `  memory after the big read: heap used ${mb(after.heapUsed).toFixed(1)} MB (${heap >= 0 ? '+' : ''}${heap.toFixed(1)} MB over before it), rss ${mb(after.rss).toFixed(0)} MB; the file is ${size.toFixed(0)} MB\n` +
      `  heap growth target <= ${HEAP_TARGET_MB} MB: ${heap <= HEAP_TARGET_MB ? 'MET' : 'MISSED'}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
