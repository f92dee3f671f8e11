import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type Config,
  DEFAULT_HEALTH,
  engineSpecOf,
  formatHealth,
  gapReport,
  type HealthReport,
  isoUtc,
  loadConfig,
  MjolnirError,
  openRun,
  type RunSummary,
  type Stream,
  streamsOf,
  systemClock,
  timeframe,
} from '@mjolnir/lib';
import { eqflat, formatEq } from '@mjolnir/lib/equivalence';
import { checkHealth, type Logger, runPaper, VenueClocks } from '@mjolnir/lib/live';
import {
  FaultPlan,
  SIM_VENUES,
  type SimVenue,
  SyntheticSource,
  startSimServer,
  VirtualClock,
} from '@mjolnir/lib/sim';
import { Lake } from '@mjolnir/lib/store';
import { pino } from 'pino';
import { columns, num, pct } from '../format.js';
import type { CliIo } from '../io.js';
import { dataRoot, openLake, withStoredRules } from '../options.js';
import { Progress } from '../progress.js';
import { codeVersion, runIdNow } from '../runs.js';

const MARKER = '.mjolnir-demo';

/** `<data root>/demo`, emptied for a fresh session, but only if the marker proves it is the demo's own. */
function scratch(root: string): string {
  const dir = join(root, 'demo');
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) {
      throw new MjolnirError(
        'input_invalid',
        `${dir} exists and is not a demo directory (no ${MARKER}); refusing to clear it`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'scratch space of `mjolnir demo`: cleared at every run\n');
  return dir;
}

/** A logger that writes JSON lines to a file and tells `onInfo` of each info message (decisions, warmups). */
function sessionLogger(file: string, onInfo: (message: string) => void): Logger {
  const base = pino(
    { level: 'info', timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: file, sync: true }),
  );
  const wrap = (logger: typeof base): Logger => ({
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => {
      onInfo(message);
      logger.info(fields, message);
    },
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
    child: (bindings) => wrap(logger.child(bindings)),
  });
  return wrap(base);
}

/** What the demo was asked for. */
/** The demo's config on each venue the simulator speaks (VENUE=coinbase: the runbooks' default stream). */
export const DEMO_CONFIG: Readonly<Record<SimVenue, string>> = {
  binance: 'configs/sim.yaml',
  coinbase: 'configs/sim-coinbase.yaml',
};

export interface DemoOptions {
  readonly config?: string;
  readonly venue?: SimVenue;
  readonly bars: number;
  readonly speed: number;
  readonly seed: number;
  readonly start: number;
  readonly dataRoot?: string;
}

/** The README's "after make demo" commands, which work on this session's data as printed. */
export function nextSteps(dir: string, config: string, symbol: string): string {
  // make's targets read configs/sim.yaml unless told: another venue's demo says its config.
  const env = config === DEMO_CONFIG.binance ? `DATA_ROOT=${dir}` : `DATA_ROOT=${dir} CONFIG=${config}`;
  return [
    `Next, on this session's data (${dir}: venue sim, tag sim; cleared by the next demo):`,
    `  ${env} RUNID=bt1 START_TS_MS=2024-03-01T08:00 END_TS_MS=2024-03-01T12:00 make backtest`,
    `  ${env} make eqflat`,
    `  node dist/cli/main.js lake gaps --data-root ${dir} --exchange sim --symbol ${symbol} --timeframe 5m`,
    '',
  ].join('\n');
}

/** `mjolnir demo`: the session, then the summary, eqflat and the health judged while it ran. */
export async function demo(options: DemoOptions, io: CliIo): Promise<void> {
  const started = performance.now();
  const dir = scratch(dataRoot(options.dataRoot, io.env));
  const session = await runSession(options, dir, io);
  if (session === null) return;
  const { config, stream, outcome, health } = session;
  const run = openRun(dir, stream.tag, stream.symbol, stream.timeframe, config.capital).summary();
  if (run.decisions === 0) {
    io.stdout.write('no bar was decided: the session stopped before the first one closed\n');
    return;
  }
  const lake = await openLake(dir, io);
  try {
    io.stdout.write(await summary(lake, stream, run, started, outcome.iterations));
    // The runbook's proof that a backtest over the same bars reproduces what LIVE decided.
    const eq = await eqflat(lake, {
      spec: engineSpecOf(await withStoredRules(config, lake)),
      stream,
      runId: runIdNow('demo_eqflat'),
      codeVersion: codeVersion(io.env),
      now: systemClock.now(),
    });
    io.stdout.write(
      `\neqflat: RUNID=${eq.runId}\n${formatEq(eq.result, `eq: LIVE ${stream.tag} vs BT ${eq.backtest.tag}`)}`,
    );
    if (!eq.result.overall) io.setExitCode(1);
    if (health !== null) {
      io.stdout.write(`\nhealth, judged while the loop ran:\n${formatHealth(health)}`);
      if (health.status === 'FAIL') io.setExitCode(1);
    }
    io.stdout.write(`\n${nextSteps(dir, configOf(options), stream.symbol)}`);
  } finally {
    lake.close();
  }
}

/** The simulator and the paper loop until the bars asked for are decided (or a signal); null if it failed. */
/** The config a demo runs: -c, else the venue's demo config. */
const configOf = (options: DemoOptions) => options.config ?? DEMO_CONFIG[options.venue ?? 'binance'];

/** The venue the simulator speaks for a demo: the config's exchange, which VENUE must agree with. */
function venueOf(options: DemoOptions, exchange: string): SimVenue {
  if (!(SIM_VENUES as readonly string[]).includes(exchange))
    throw new MjolnirError(
      'input_invalid',
      `${configOf(options)} trades on ${exchange}; the simulator speaks ${SIM_VENUES.join(' and ')}`,
    );
  if (options.venue !== undefined && options.venue !== exchange)
    throw new MjolnirError(
      'input_invalid',
      `VENUE=${options.venue} but ${configOf(options)} trades on ${exchange} (VENUE=${options.venue} alone runs ${DEMO_CONFIG[options.venue]})`,
    );
  return exchange as SimVenue;
}

/**
 * The session's exchange: the simulator on a virtual clock held at the start until the loop has
 * warmed up (every run warms up on the same bars and decides the same slots, however long this machine
 * takes: the demo is seeded), and the config pointed at it. Says what runs.
 */
async function startExchange(options: DemoOptions, io: CliIo) {
  const loaded = loadConfig(configOf(options), { ...io.env, SIM_PORT: undefined, SIM_SPEED: undefined });
  const venue = venueOf(options, loaded.exchange);
  const markets = Object.fromEntries(
    loaded.symbols.map((symbol) => [
      symbol,
      new SyntheticSource(options.start - 30 * 86_400_000, options.seed, symbol),
    ]),
  );
  const clock = new VirtualClock(options.start, options.speed, systemClock, { held: true });
  const sim = await startSimServer({ clock, markets, faults: new FaultPlan(), venue });
  const config = { ...loaded, simulator: { host: '127.0.0.1', port: sim.port, speed: options.speed } };
  io.stdout.write(
    `Mjölnir demo: the simulated exchange (${venue === 'coinbase' ? 'Coinbase' : 'Binance'} API on ${sim.url}, ${options.speed}x, seed ${options.seed}) ` +
      `and the paper loop, ${config.strategy.id} on ${config.symbols.join(', ')} ${config.timeframe}, until ${options.bars} bars are decided\n`,
  );
  return { sim, clock, config, stream: streamsOf(loaded)[0]! };
}

/** Aborted when the session is over, or at the process's shutdown request. */
function sessionController(io: CliIo): AbortController {
  const controller = new AbortController();
  const shutdown = io.shutdown();
  if (shutdown.aborted) controller.abort();
  else shutdown.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

async function runSession(options: DemoOptions, dir: string, io: CliIo) {
  const { sim, clock, config, stream } = await startExchange(options, io);
  // The session ends when its bars are decided, or at a shutdown request.
  const controller = sessionController(io);
  const dashboard = io.stdout.isTTY === true && process.stdin.isTTY === true;
  // The dashboard draws the terminal while it runs: no progress bar under it.
  const progress = new Progress('decided', dashboard ? { write: () => undefined } : io.stderr);
  let decided = 0;
  let health: HealthReport | null = null;
  const judge = await sessionJudge(config, dir, options.speed);
  const finish = once(async () => {
    // Judged while the loop and the exchange still run, then the session stops.
    health = await judge.judge().catch(() => null);
    controller.abort();
  });
  let warmed = 0;
  const log = sessionLogger(join(dir, 'paper.log'), (message) => {
    // Time runs once every stream has warmed up on the bars before the start.
    if (message === 'Warmed up' && ++warmed === config.symbols.length) clock.release();
    if (message !== 'Decision recorded') return;
    decided++;
    progress.update(decided, options.bars, 'bars');
    if (decided >= options.bars * config.symbols.length) finish();
  });
  let outcome: Awaited<ReturnType<typeof runPaper>>;
  try {
    const paper = runPaper({
      config,
      dataRoot: dir,
      clock: systemClock,
      log,
      env: io.env,
      signal: controller.signal,
      // Exactly the bars asked for: the loop then holds its stream until the session stops.
      maxDecisions: options.bars,
    });
    if (dashboard) {
      // The dashboard ends with the session, however the session ends.
      const end = () => controller.abort();
      paper.then(end, end);
      await showDashboard(dir, config, controller.signal, judge.graceBars, io.env).catch((error: Error) =>
        io.stderr.write(`the dashboard could not run (${error.message}); the session goes on\n`),
      );
      if (!controller.signal.aborted)
        io.stderr.write(`dashboard closed; the session goes on until ${options.bars} bars are decided\n`);
    }
    outcome = await paper;
  } finally {
    progress.done();
    await judge.close();
    await sim.close();
  }
  if (outcome.failed.length > 0) {
    for (const { stream: name, error } of outcome.failed)
      io.stderr.write(`error ${name}: ${error.message}\n`);
    io.setExitCode(1);
    return null;
  }
  return { config, stream, outcome, health: health as HealthReport | null };
}

/** Calls `fn` the first time only. */
function once(fn: () => Promise<void>): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    void fn();
  };
}

/** The dashboard on this terminal until the session ends (or `q`). */
async function showDashboard(
  dir: string,
  config: Config,
  signal: AbortSignal,
  graceBars: number,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const { runDashboard } = await import('@mjolnir/tui');
  // The same grace as the demo's own verdict: the dashboard must not say FAIL where the demo says OK.
  await runDashboard({ dataRoot: dir, config, env, signal, healthMs: 1000, graceBars });
}

/**
 * The healthcheck of the running session, its lake and exchange client opened up front so that the
 * check itself takes milliseconds (the loop decides on meanwhile). Its staleness grace is five seconds
 * of wall time (100 bars at the demo's 6000x, where a bar closes every 50 ms): a busy machine may hold
 * the loop back a second or two, which is not what the demo's verdict is about.
 */
async function sessionJudge(config: Config, dir: string, speed: number) {
  const lake = await Lake.open(dir);
  const venues = new VenueClocks(systemClock, config);
  const graceBars = demoGraceBars(speed, timeframe(config.timeframe).ms);
  return {
    graceBars,
    judge: () =>
      checkHealth({
        root: dir,
        config,
        lake,
        clock: systemClock,
        timeOf: venues.forCheck(),
        options: { ...DEFAULT_HEALTH, graceBars },
      }),
    close: async () => {
      lake.close();
      await venues.close();
    },
  };
}

/** Five seconds of wall time in bars at the demo's speed (at least the default grace). */
const demoGraceBars = (speed: number, barMs: number): number =>
  Math.max(DEFAULT_HEALTH.graceBars, Math.ceil((speed * 5000) / barMs));

/** The session in a few lines: decisions by reason, trades, the lake, where everything is. */
async function summary(
  lake: Lake,
  stream: Stream,
  run: RunSummary,
  started: number,
  polls: number,
): Promise<string> {
  const layout = lake.layout;
  const stats = run.trades;
  const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
  const stored = await lake.read(key, 0, Number.MAX_SAFE_INTEGER);
  const gaps = gapReport(
    stored,
    timeframe(stream.timeframe),
    stored.ts[0] ?? 0,
    stored.ts[stored.length - 1] ?? 0,
  );
  return `${columns([
    [
      'decisions',
      `${num(run.decisions)} (one per closed bar, ${isoUtc(run.firstTs!)} .. ${isoUtc(run.lastTs!)})`,
    ],
    ...Object.entries(run.byReason)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => [`  ${reason}`, num(count)]),
    [
      'trades',
      `${num(stats.trades)}  win rate ${pct(stats.winRate)}  net PnL ${num(stats.netPnl, 2)} (fees ${num(stats.fees, 2)})`,
    ],
    ['lake', `${num(stored.length)} bars in ${layout.rawDir(key)}, ${num(gaps.missing)} missing`],
    ['journal', layout.decisions(stream.tag, stream.symbol, stream.timeframe)],
    ['logs', join(layout.root, 'paper.log')],
    ['took', `${((performance.now() - started) / 1000).toFixed(1)} s, ${polls} polls`],
  ])}\n`;
}
