/**
 * eqflat against the real paper loop in process (ccxt's binance class -> the simulator on loopback ->
 * the lake), on a market that opens through stops now and then, with a test clock: what LIVE saw
 * besides the bars (failed fetches and persists, the kill switch) is reproduced; fill models differ
 * only in PnL.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  type Config,
  DataLayout,
  engineSpecOf,
  generateSeries,
  readDecisions,
  streamsOf,
  TestClock,
  type TsMs,
  timeframe,
} from '@mjolnir/lib';
import { eqflat } from '@mjolnir/lib/equivalence';
import { FaultPlan, ReplaySource, type SimServer, startSimServer } from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveConfig, ORIGIN, openLoop, tempRoot } from './support/live.js';

const TF = timeframe('5m');
const BAR = TF.ms;
let clock: TestClock;
let sim: SimServer;
let root: string;
let config: Config;

beforeAll(async () => {
  const series = generateSeries(
    { seed: 17, timeframe: TF, startTs: (ORIGIN + BAR) as TsMs, startPrice: 30_000, gapProbability: 0.1 },
    3_000,
  );
  clock = new TestClock(ORIGIN + 400 * BAR + 41_000);
  sim = await startSimServer({
    clock,
    markets: { 'BTC/USDT': new ReplaySource(TF, series) },
    faults: new FaultPlan(),
  });
  config = liveConfig(sim.port);
  root = tempRoot();
  const { loop, close, settings } = await openLoop(config, root, clock);
  const layout = new DataLayout(root);
  const bars = async (count: number) => {
    for (let i = 0; i < count; i++) {
      clock.advance(BAR);
      await loop.iterate();
    }
  };
  try {
    await bars(120);
    settings.forceFetchFail = true;
    await bars(6);
    settings.forceFetchFail = false;
    await bars(60);
    settings.forcePersistFail = true;
    await bars(3);
    settings.forcePersistFail = false;
    await bars(60);
    mkdirSync(layout.stateDir(), { recursive: true });
    writeFileSync(layout.killSwitch(), 'halt\n');
    await bars(40);
    writeFileSync(layout.killSwitch(), 'flatten\n');
    await bars(20);
    rmSync(layout.killSwitch());
    await bars(200);
  } finally {
    await close();
  }
});
afterAll(async () => {
  await sim.close();
});

async function eqflatWith(runId: string, stopThrough: boolean) {
  const lake = await Lake.open(root);
  try {
    const spec = engineSpecOf({ ...config, fill: { ...config.fill, stop_through: stopThrough } });
    return await eqflat(lake, { spec, stream: streamsOf(config)[0]!, runId, codeVersion: 'test', now: 0 });
  } finally {
    lake.close();
  }
}

describe('eqflat over the paper loop', () => {
  it("reproduces LIVE's host skips and kill switch: OVERALL PASS, PnL equal to the cent", async () => {
    const outcome = await eqflatWith('same_fills', false);
    const reasons = new Set(
      readDecisions(outcome.livePath)
        .rows()
        .map((row) => row.reason),
    );
    for (const reason of ['fetch_failed', 'persist_failed', 'cadence_failed', 'kill_switch', 'stop_hit'])
      expect(reasons).toContain(reason);
    expect(outcome.result.overall).toBe(true);
    expect(outcome.result.decisions.compared).toBeGreaterThan(500);
    expect(outcome.result.trades.compared).toBeGreaterThan(10);
    expect(outcome.result.pnl.bt.toFixed(2)).toBe(outcome.result.pnl.live.toFixed(2));
  });

  it('with stop-through fills in the backtest only: decisions and lifecycle pass, PnL differs', async () => {
    const outcome = await eqflatWith('stop_through', true);
    expect(outcome.result.decisions.pass).toBe(true);
    expect(outcome.result.trades.pass).toBe(true);
    expect(outcome.result.overall).toBe(true);
    expect(Math.abs(outcome.result.pnl.bt - outcome.result.pnl.live)).toBeGreaterThan(0.5);
  });

  it('refuses a config LIVE did not run (exit-2 usage error naming the difference) and records nothing', async () => {
    const stream = streamsOf(config)[0]!;
    const verdictPath = new DataLayout(root).eqflatVerdict(stream.tag, stream.symbol, stream.timeframe);
    const before = existsSync(verdictPath) ? readFileSync(verdictPath, 'utf8') : null;
    const lake = await Lake.open(root);
    try {
      const other = engineSpecOf({
        ...config,
        fees: { ...config.fees, fee_bps: Number(config.fees.fee_bps) + 5 },
      });
      const refused = eqflat(lake, {
        spec: other,
        stream,
        runId: 'eqflat_refused',
        codeVersion: 'test',
        now: 0,
      });
      await expect(refused).rejects.toMatchObject({ code: 'input_invalid', category: 'operator' });
      await expect(refused).rejects.toThrow(/costs\.feeBps: \d+ -> \d+/);
    } finally {
      lake.close();
    }
    expect(existsSync(verdictPath) ? readFileSync(verdictPath, 'utf8') : null).toBe(before);
    expect(
      existsSync(
        new DataLayout(root).decisions(`${stream.tag}_bt_eqflat_refused`, stream.symbol, stream.timeframe),
      ),
    ).toBe(false);
  });
});
