/**
 * The backtest host against the LIVE host (the paper loop's Decider) over a real DuckDB lake: one
 * conformance suite for the two hosts of the one engine, and the backtest's own guarantees.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../core/index.js';
import type { EngineSpec, HostSkipReason } from '../engine/index.js';
import { createEngine, type EngineContext, RUNNING, WARMUP } from '../engine/index.js';
import { compareRuns } from '../equivalence/index.js';
import {
  type DecisionRow,
  decisionLines,
  readBacktestManifest,
  readDecisions,
  readTrades,
  TradeTable,
  tradeLines,
  tradeRow,
} from '../journal/index.js';
import { Decider } from '../live/index.js';
import { barAt } from '../market/index.js';
import type { Lake } from '../store/index.js';
import type { Strategy } from '../strategy/index.js';
import { createStrategy } from '../strategy/index.js';
import { type BacktestRequest, runBacktest, seriesHash } from './backtest.js';
import { at, KEY, lakeWithSeries, SERIES, STREAM, TF } from './test-support/market.js';

function spec(options: { stopThrough?: boolean; strategy?: Strategy } = {}): EngineSpec {
  return {
    timeframe: TF,
    strategy:
      options.strategy ??
      createStrategy('ema_cross_atr', { fast: 3, slow: 8, atr_period: 5, atr_mult: 1.2, allow_short: true }),
    fill: { model: 'close', stopThrough: options.stopThrough ?? false },
    costs: { feeBps: 10, slippageBps: 0 },
    sizing: { mode: 'fixed_notional', notional: 1_000 },
    risk: {
      maxPositionNotional: Number.POSITIVE_INFINITY,
      maxOrderNotional: Number.POSITIVE_INFINITY,
      dailyLossLimit: Number.POSITIVE_INFINITY,
      maxOrdersPerMinute: Number.POSITIVE_INFINITY,
    },
    initialCapital: 10_000,
  };
}

let lake: Lake;
let runs = 0;
const request = (overrides: Partial<BacktestRequest>): BacktestRequest => ({
  spec: spec(),
  stream: STREAM,
  runId: `r${++runs}`,
  start: at(1_000),
  end: at(2_000),
  codeVersion: 'test',
  now: Date.UTC(2026, 0, 1),
  ...overrides,
});

beforeAll(async () => {
  lake = await lakeWithSeries();
});
afterAll(() => lake.close());

/** The LIVE host over the same bars: warmup until `startIndex`, then decisions, with operator inputs. */
function live(
  engineSpec: EngineSpec,
  startIndex: number,
  inputs: { skips?: ReadonlyMap<number, HostSkipReason>; context?: (ts: number) => EngineContext } = {},
) {
  const engine = createEngine(engineSpec);
  const decider = new Decider(engine, engine.init(), STREAM);
  const decisions: DecisionRow[] = [];
  const trades: string[] = [];
  for (let i = 0; i < SERIES.length; i++) {
    const ts = at(i);
    const skip = i >= startIndex ? inputs.skips?.get(ts) : undefined;
    const fed =
      skip !== undefined
        ? decider.skip(ts, skip)
        : decider.bar(barAt(SERIES, i), i < startIndex ? WARMUP : (inputs.context?.(ts) ?? RUNNING));
    if (i < startIndex) continue;
    decisions.push(...fed.decisions);
    trades.push(...fed.trades.map((t) => tradeLines([tradeRow(STREAM, t)]).trimEnd()));
  }
  return { decisions, trades };
}

const readTradesText = (lines: readonly string[]) => {
  const table = new TradeTable('live');
  table.append(lines.map((text) => `${text.trimEnd()}\n`).join(''));
  return table.rows;
};
const body = (path: string) => readFileSync(path, 'utf8').split('\n').slice(1, -1);

describe('the backtest', () => {
  it('decides exactly the bars closing in [start, end], one row each, none from the warmup', async () => {
    const result = await runBacktest(lake, request({}));
    const rows = readDecisions(result.decisionsPath).rows();
    expect(rows[0]!.ts_ms).toBe(at(1_000));
    expect(rows.at(-1)!.ts_ms).toBe(at(2_000));
    expect(rows).toHaveLength((at(2_000) - at(1_000)) / TF.ms + 1);
    expect(rows.every((row, i) => i === 0 || row.ts_ms - rows[i - 1]!.ts_ms === TF.ms)).toBe(true);
    // Generated bars 1225 and 1838 were left out of the lake: their slots are bar_missing rows.
    expect(rows.filter((row) => row.reason === 'bar_missing')).toHaveLength(2);
    for (const trade of readTrades(result.tradesPath).rows) {
      expect(trade.entry_ts_ms).toBeGreaterThanOrEqual(at(1_000));
      expect(trade.exit_ts_ms).toBeLessThanOrEqual(at(2_000));
    }
  });

  it('writes a manifest naming config, window, warmup, input hash, code version, metrics and timings', async () => {
    const result = await runBacktest(lake, request({ runId: 'manifest' }));
    const manifest = JSON.parse(readFileSync(result.manifestPath, 'utf8'));
    // Written and read through the one schema: what explain reads back is what was written.
    expect(readBacktestManifest(result.manifestPath)).toEqual(manifest);
    expect(result.manifestPath.endsWith(join('runs', 'manifest', 'manifest.json'))).toBe(true);
    const stable = spec().strategy.stableWarmupBars;
    expect(manifest.window).toEqual({ start_ts_ms: at(1_000), end_ts_ms: at(2_000) });
    expect(manifest.warmup).toEqual({
      from_ts_ms: at(1_000 - stable),
      bars: stable,
      declared_stable_bars: stable,
      proven: true,
    });
    const fed = await lake.read(KEY, at(1_000 - stable), at(2_000));
    expect(manifest.input.sha256).toBe(seriesHash(fed));
    expect(manifest.input.bars).toBe(fed.length);
    expect(manifest.code_version).toBe('test');
    expect(manifest.config.strategy.id).toBe('ema_cross_atr');
    expect(manifest.spec).toBe(createEngine(spec()).fingerprint);
    expect(manifest.metrics.trades.trades).toBe(readTrades(result.tradesPath).rows.length);
    expect(manifest.metrics.totalReturn).toBeCloseTo(result.performance.totalReturn, 12);
    expect(manifest.timings.total_ms).toBeGreaterThan(0);
    expect(manifest.status).toBe('ok');
    // A damaged manifest is named with the field that is wrong, and nothing is guessed.
    const damaged = join(dirname(result.manifestPath), 'damaged.json');
    writeFileSync(damaged, JSON.stringify({ ...manifest, window: { start_ts_ms: 'soon' } }));
    expect(() => readBacktestManifest(damaged)).toThrow(
      /damaged.json: not a backtest manifest \(window.start_ts_ms: /,
    );
    writeFileSync(damaged, '{"kind": "backtest",');
    expect(() => readBacktestManifest(damaged)).toThrow(
      /damaged.json: not a backtest manifest \(invalid JSON: /,
    );
  });

  it('gives an equity curve that is capital plus closed PnL wherever the book is flat', async () => {
    const result = await runBacktest(lake, request({}));
    const rows = readDecisions(result.decisionsPath).rows();
    const trades = readTrades(result.tradesPath).rows;
    let checked = 0;
    for (const row of rows) {
      if (row.position !== 'flat' || Number.isNaN(row.close)) continue;
      const closed = trades.filter((t) => t.exit_ts_ms <= row.ts_ms).reduce((sum, t) => sum + t.pnl, 0);
      expect(row.equity).toBeCloseTo(10_000 + closed, 8);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(trades.length).toBeGreaterThan(10);
  });

  it('decides like a run warmed up from the very first bar, from the first bar both are flat', async () => {
    const windowed = await runBacktest(lake, request({}));
    const stable = spec().strategy.stableWarmupBars;
    const long = await runBacktest(lake, request({ start: at(stable), warmupFrom: at(0) }));
    const side = (name: string, result: typeof windowed) => ({
      name,
      decisions: readDecisions(result.decisionsPath).rows(),
      trades: readTrades(result.tradesPath).rows,
    });
    const eq = compareRuns(side('long', long), side('windowed', windowed));
    expect(eq.overall).toBe(true);
    expect(eq.decisions.compared).toBeGreaterThan(900);
  });

  it('never overwrites a run: the same RUNID is refused and the first run stays as written', async () => {
    const first = await runBacktest(lake, request({ runId: 'once' }));
    const before = readFileSync(first.decisionsPath, 'utf8');
    const error = await runBacktest(lake, request({ runId: 'once', start: at(1_500) })).catch(
      (e: unknown) => e,
    );
    expect(hasErrorCode(error, 'input_invalid')).toBe(true);
    expect(String(error)).toMatch(/never overwritten/);
    expect(readFileSync(first.decisionsPath, 'utf8')).toBe(before);
    expect(readdirSync(dirname(first.decisionsPath))).toEqual(['decisions.csv']);
  });

  it('refuses too short a warmup before writing anything', async () => {
    // Too little history before the window to prove the warmup.
    const early = request({ runId: 'early', start: at(30) });
    await expect(runBacktest(lake, early)).rejects.toThrow(/warmup check needs/);
    // A strategy declaring a warmup its slow EMA has not forgotten its seed in.
    const careless = { ...createStrategy('ema_cross_atr', { fast: 12, slow: 26 }), stableWarmupBars: 10 };
    const short = request({ runId: 'short', spec: spec({ strategy: careless }) });
    await expect(runBacktest(lake, short)).rejects.toThrow(
      /warmup of 10 bars is too short for ema_cross_atr/,
    );
    for (const runId of ['early', 'short']) {
      expect(existsSync(lake.layout.manifest(runId))).toBe(false);
      expect(existsSync(lake.layout.decisions(`unit_bt_${runId}`, STREAM.symbol, STREAM.timeframe))).toBe(
        false,
      );
    }
  });

  it('refuses a window off the timeframe grid, reversed, or without bars', async () => {
    await expect(runBacktest(lake, request({ start: at(1_000) + 1 }))).rejects.toThrow(/not on the 5m grid/);
    await expect(runBacktest(lake, request({ end: at(900) }))).rejects.toThrow(/before its start/);
    const later = at(SERIES.length - 1) + 100 * TF.ms;
    await expect(runBacktest(lake, request({ start: later, end: later }))).rejects.toThrow(/no bars in/);
  });
});

describe('BACKTEST and LIVE hosts (conformance)', () => {
  const start = 800;
  const skips = new Map<number, HostSkipReason>([
    [at(900), 'fetch_failed'],
    [at(901), 'fetch_failed'],
    [at(1_400), 'persist_failed'],
  ]);
  const context = (ts: number): EngineContext =>
    ts >= at(1_700) && ts < at(1_760) ? { killSwitch: true, flatten: ts >= at(1_730) } : RUNNING;

  it('write the same decision and trade lines, byte for byte, skips and kill switch included', async () => {
    const liveRun = live(spec(), start, { skips, context });
    const reasons = new Set(liveRun.decisions.map((row) => row.reason));
    for (const reason of ['fetch_failed', 'persist_failed', 'kill_switch', 'bar_missing', 'stop_hit'])
      expect(reasons).toContain(reason);
    const result = await runBacktest(
      lake,
      request({
        start: at(start),
        end: at(SERIES.length - 1),
        warmupFrom: at(0),
        live: { tag: 'unit', decisions: liveRun.decisions },
        explain: true,
      }),
    );
    expect(body(result.decisionsPath)).toEqual(
      liveRun.decisions.map((row) => decisionLines([row]).trimEnd()),
    );
    expect(body(result.tradesPath)).toEqual(liveRun.trades.map((line) => line.trimEnd()));
  });

  it('write the same files with decisions.csv formatted on worker threads', async () => {
    const liveRun = live(spec(), start, { skips, context });
    const run = (formatThreads: number) =>
      runBacktest(
        lake,
        request({
          start: at(start),
          end: at(SERIES.length - 1),
          warmupFrom: at(0),
          live: { tag: 'unit', decisions: liveRun.decisions },
          formatThreads,
        }),
      );
    const inline = await run(0);
    const threaded = await run(2);
    expect(readFileSync(threaded.decisionsPath, 'latin1')).toBe(readFileSync(inline.decisionsPath, 'latin1'));
    expect(readFileSync(threaded.tradesPath, 'latin1')).toBe(readFileSync(inline.tradesPath, 'latin1'));
    expect(JSON.parse(readFileSync(threaded.manifestPath, 'utf8')).outputs.format_threads).toBe(2);
  });

  /** LIVE with one fill model, the backtest over the same window with another, then eq. */
  async function fillModels(liveStopThrough: boolean, btStopThrough: boolean) {
    const liveRun = live(spec({ stopThrough: liveStopThrough }), start);
    const result = await runBacktest(
      lake,
      request({
        spec: spec({ stopThrough: btStopThrough }),
        start: at(start),
        end: at(SERIES.length - 1),
        warmupFrom: at(0),
        live: { tag: 'unit', decisions: liveRun.decisions },
      }),
    );
    return compareRuns(
      { name: 'live', decisions: liveRun.decisions, trades: readTradesText(liveRun.trades) },
      {
        name: 'bt',
        decisions: readDecisions(result.decisionsPath).rows(),
        trades: readTrades(result.tradesPath).rows,
      },
    );
  }

  it('with stop-through only in the backtest: decisions and lifecycle equal, PnL differs', async () => {
    const eq = await fillModels(false, true);
    expect(eq.trades.compared).toBeGreaterThan(10);
    expect(eq.decisions.pass).toBe(true);
    expect(eq.trades.pass).toBe(true);
    expect(eq.overall).toBe(true);
    expect(Math.abs(eq.pnl.live - eq.pnl.bt)).toBeGreaterThan(1);
  });

  it('with identical fill models: PnL equal to the cent', async () => {
    const eq = await fillModels(true, true);
    expect(eq.overall).toBe(true);
    expect(eq.trades.compared).toBeGreaterThan(10);
    expect(eq.pnl.bt.toFixed(2)).toBe(eq.pnl.live.toFixed(2));
  });
});
