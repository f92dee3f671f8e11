import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Config,
  createEngine,
  DataLayout,
  type DecisionRow,
  engineSpecOf,
  parseConfig,
  readDecisions,
  streamsOf,
  type TestClock,
} from '@mjolnir/lib';
import { marketDataFor } from '@mjolnir/lib/exchange';
import { ExchangeClock, MemoryLogger, StreamLoop, type StreamSettings, venueFor } from '@mjolnir/lib/live';
import { FaultPlan, type SimServer, SyntheticSource, startSimServer } from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { expect } from 'vitest';

/** The text of a config for the simulator with a strategy that trades often (short EMAs). */
export function liveConfigText(
  port: number,
  paper = 'paper: { history_bars: 60, fetch_grace_bars: 2 }',
): string {
  return `
exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: test
simulator: { port: ${port}, speed: 1 }
strategy: { id: ema_cross_atr, params: { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.5, allow_short: true } }
fees: { fee_bps: 10 }
fetch: { timeout_ms: 2000, attempts: 3 }
${paper}`;
}

/** That config, parsed. */
export function liveConfig(port: number, paper?: string): Config {
  const parsed = parseConfig(liveConfigText(port, paper), 'test.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

export const ORIGIN = Date.UTC(2024, 5, 1);

/** The simulator on a free port with a clock the test drives. */
export async function testSim(clock: TestClock, symbols = ['BTC/USDT', 'ETH/USDT']): Promise<SimServer> {
  const markets = Object.fromEntries(symbols.map((s) => [s, new SyntheticSource(ORIGIN, 11, s)]));
  return startSimServer({ clock, markets, faults: new FaultPlan() });
}

export const DEFAULT_SETTINGS: StreamSettings = {
  historyBars: 60,
  fetchGraceBars: 2,
  forceFetchFail: false,
  forcePersistFail: false,
  enforceMonotonic: true,
};

/** Opens the stream loop of a config over a data root, as `runPaper` would. */
export async function openLoop(
  config: Config,
  root: string,
  clock: TestClock,
  overrides: Partial<StreamSettings> = {},
) {
  // One object the loop keeps: tests flip FORCE_* flags on it while the loop runs.
  const settings: { -readonly [K in keyof StreamSettings]: StreamSettings[K] } = {
    ...DEFAULT_SETTINGS,
    ...overrides,
  };
  const log = new MemoryLogger();
  const lake = await Lake.open(root);
  const source = marketDataFor(config);
  const opening = StreamLoop.open({
    stream: streamsOf(config)[0]!,
    engine: createEngine(engineSpecOf(config)),
    source,
    lake,
    clock,
    exchangeClock: new ExchangeClock(clock, 1),
    venue: venueFor(config),
    log,
    settings,
  });
  const loop = await opening.catch(async (error: unknown) => {
    lake.close();
    await source.close();
    throw error;
  });
  const close = async () => {
    loop.close();
    lake.close();
    await source.close();
  };
  return { loop, log, lake, close, settings };
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'mjolnir-live-'));
}

/** A stream's decisions.csv, parsed strictly; it must end with a whole row (never a torn one). */
export function readJournal(
  root: string,
  tag = 'test',
  symbol = 'BTC/USDT',
): (DecisionRow & { line: number })[] {
  const path = new DataLayout(root).decisions(tag, symbol, '5m');
  expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  return readDecisions(path).rows();
}

/** Structural invariants: strictly increasing by exactly one 5m bar, so no duplicate and no gap. */
export function expectContiguous(rows: readonly DecisionRow[]): void {
  const steps = rows.slice(1).map((row, i) => row.ts_ms - rows[i]!.ts_ms);
  expect(steps.filter((step) => step !== 300_000)).toEqual([]);
}
