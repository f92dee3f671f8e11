import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DataLayout,
  DEFAULT_HEALTH,
  DecisionJournal,
  type DecisionRow,
  type HealthReport,
  type LiveStream,
  TradeJournal,
  type TradeRow,
} from '@mjolnir/lib';
import { engineRows } from '../../lib/journal/test-support/engine-rows.js';
import { DashboardSources } from '../src/sources.js';

export const STREAM: LiveStream = { tag: 'sim', symbol: 'BTC/USDT', timeframe: '5m' };
export const OTHER: LiveStream = { tag: 'alt', symbol: 'ETH/USDT', timeframe: '5m' };

/** A data root with nothing in it yet. */
export const emptyRoot = () => mkdtempSync(join(tmpdir(), 'mjolnir-tui-'));

/** Appends rows to a stream's decisions journal through the journal writer. */
export function appendDecisions(root: string, stream: LiveStream, rows: readonly DecisionRow[]): void {
  const path = new DataLayout(root).decisions(stream.tag, stream.symbol, stream.timeframe);
  mkdirSync(dirname(path), { recursive: true });
  const journal = DecisionJournal.open(path, {
    enforce: true,
    onRefused: () => {
      throw new Error('not monotonic');
    },
  });
  journal.append(rows);
  journal.close();
}

export function appendTrades(root: string, stream: LiveStream, rows: readonly TradeRow[]): void {
  const path = new DataLayout(root).trades(stream.tag, stream.symbol, stream.timeframe);
  mkdirSync(dirname(path), { recursive: true });
  const journal = TradeJournal.open(path);
  journal.append(rows);
  journal.close();
}

/** Engine-made rows (every kind of decision) with a rising and falling equity. */
export const rowsOf = (count: number, seed = 3): DecisionRow[] =>
  engineRows(count, seed, { equity: true, holeEvery: 700 });

/** A healthcheck answer: each stream with the checks given (the rest OK). */
export function healthOf(
  now: number,
  streams: Record<string, { status: 'OK' | 'WARN' | 'FAIL'; cause?: string }>,
): HealthReport {
  return {
    status: 'OK',
    mode: 'operator',
    now,
    clock: 'exchange',
    streams: Object.entries(streams).map(([stream, { status, cause }]) => ({
      stream,
      status,
      now,
      clock: 'exchange',
      rate: 1,
      checks: [
        {
          name: 'decisions',
          status,
          figure: '0 bar(s) behind',
          cause: cause ?? 'the last decision is recent',
        },
        { name: 'kill_switch', status: 'OK', figure: 'off', cause: 'entries allowed' },
      ],
    })),
  };
}

/** Sources over `root` with a fixed clock and a healthcheck answering `health()`. */
export function sourcesOver(
  root: string,
  streams: () => readonly LiveStream[],
  now: number,
  health: () => HealthReport,
): DashboardSources {
  return new DashboardSources({
    dataRoot: root,
    streams,
    clock: { now: () => now },
    healthOptions: DEFAULT_HEALTH,
    health: async () => health(),
  });
}

/** Two streams with journals, `sim BTC/USDT 5m` healthy and `alt ETH/USDT 5m` failing (`cause`). */
export function twoStreams(cause = 'stale'): { root: string; sources: DashboardSources } {
  const root = emptyRoot();
  appendDecisions(root, STREAM, rowsOf(50));
  appendDecisions(
    root,
    OTHER,
    rowsOf(60, 5).map((r) => ({ ...r, symbol: 'ETH/USDT' })),
  );
  const sources = sourcesOver(
    root,
    () => [STREAM, OTHER],
    0,
    () => healthOf(0, { 'sim BTC/USDT 5m': { status: 'OK' }, 'alt ETH/USDT 5m': { status: 'FAIL', cause } }),
  );
  return { root, sources };
}
