import { type Config, loadConfig, streamsOf } from '../config/index.js';
import type { Lake } from '../store/index.js';
import { timeframe } from '../time/index.js';

/** What `simulatedLake` made: the lake, the config pointing at it, and the window stored. */
export interface SimulatedLake {
  readonly lake: Lake;
  readonly config: Config;
  readonly start: number;
  readonly end: number;
}

/**
 * A lake filled from the simulated exchange, the way `make sim` + `mjolnir market-data backfill` do it:
 * the simulator (Binance's API on loopback, seeded) serves `days` of the config's stream, ccxt fetches
 * them, the lake stores them under `root`. For notebooks that must run anywhere, offline.
 */
export async function simulatedLake(options: {
  readonly root: string;
  readonly configPath: string;
  readonly days: number;
  readonly seed?: number;
  /** The simulator's "now": the window ends here (default 2024-03-01). */
  readonly until?: number;
}): Promise<SimulatedLake> {
  // ccxt, the simulator and DuckDB load here, on first use: importing the research helpers stays cheap.
  const [{ marketDataFor }, { FaultPlan, startSimServer, SyntheticSource, VirtualClock }, store] =
    await Promise.all([
      import('../exchange/index.js'),
      import('../sim/index.js'),
      import('../store/index.js'),
    ]);
  const until = options.until ?? Date.UTC(2024, 2, 1);
  const loaded = loadConfig(options.configPath, {});
  const stream = streamsOf(loaded)[0]!;
  const sim = await startSimServer({
    clock: new VirtualClock(until, 1, { now: () => until }),
    markets: {
      [stream.symbol]: new SyntheticSource(until - 400 * 86_400_000, options.seed ?? 42, stream.symbol),
    },
    faults: new FaultPlan(),
  });
  const config: Config = { ...loaded, simulator: { host: '127.0.0.1', port: sim.port, speed: 1 } };
  const source = marketDataFor(config, {});
  const lake = await store.Lake.open(options.root);
  try {
    const tf = timeframe(stream.timeframe);
    const start = until - options.days * 86_400_000;
    const key = {
      exchange: streamsOf(config)[0]!.exchange,
      symbol: stream.symbol,
      timeframe: stream.timeframe,
    };
    await store.backfill({ source, lake, key, start, end: until, now: until });
    return { lake, config, start: start + tf.ms, end: until - tf.ms };
  } catch (error) {
    lake.close();
    throw error;
  } finally {
    await source.close();
    await sim.close();
  }
}
