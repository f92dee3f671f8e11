import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DataLayout,
  engineSpecOf,
  eqflat,
  FaultPlan,
  formatEq,
  gapReport,
  isoUtc,
  Lake,
  type Logger,
  loadConfig,
  MjolnirError,
  readDecisions,
  readTrades,
  runPaper,
  SyntheticSource,
  startSimServer,
  streamsOf,
  systemClock,
  timeframe,
  tradeStats,
  VirtualClock,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import { pino } from 'pino';
import { columns, num, pct } from '../format.js';
import { dataRoot, intOption, numberOption, timeOption } from '../options.js';
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

/** A logger that writes JSON lines to a file and counts recorded decisions. */
function sessionLogger(file: string, onDecision: () => void): Logger {
  const base = pino(
    { level: 'info', timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: file, sync: true }),
  );
  const wrap = (logger: typeof base): Logger => ({
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => {
      if (message === 'Decision recorded') onDecision();
      logger.info(fields, message);
    },
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
    child: (bindings) => wrap(logger.child(bindings)),
  });
  return wrap(base);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the main job on the embedded default: the simulated exchange and the paper loop for a bounded session, then a summary',
    )
    .option(
      '-c, --config <file>',
      'config (its simulator settings are overridden)',
      process.env['CONFIG'] ?? 'configs/sim.yaml',
    )
    .option(
      '-n, --bars <count>',
      'bars to decide before stopping (DEMO_BARS)',
      intOption,
      Number(process.env['DEMO_BARS'] ?? 200),
    )
    .option(
      '--speed <factor>',
      'simulated seconds per real second',
      numberOption,
      Number(process.env['SIM_SPEED'] ?? 6000),
    )
    .option('--seed <seed>', 'seed of the simulated market', intOption, Number(process.env['SIM_SEED'] ?? 42))
    .option(
      '--start <time>',
      'simulated start (SIM_START)',
      timeOption,
      process.env['SIM_START'] ? timeOption(process.env['SIM_START']) : Date.UTC(2024, 2, 1),
    )
    .option('--data-root <dir>', 'data root; the session uses <root>/demo (DATA_ROOT)')
    .action(
      async (options: {
        config: string;
        bars: number;
        speed: number;
        seed: number;
        start: number;
        dataRoot?: string;
      }) => {
        const started = performance.now();
        const dir = scratch(dataRoot(options.dataRoot));
        const loaded = loadConfig(options.config, {
          ...process.env,
          SIM_PORT: undefined,
          SIM_SPEED: undefined,
        });
        const stream = streamsOf(loaded)[0]!;
        const markets = Object.fromEntries(
          loaded.symbols.map((symbol) => [
            symbol,
            new SyntheticSource(options.start - 30 * 86_400_000, options.seed, symbol),
          ]),
        );
        const sim = await startSimServer({
          clock: new VirtualClock(options.start, options.speed, systemClock),
          markets,
          faults: new FaultPlan(),
        });
        const config = { ...loaded, simulator: { host: '127.0.0.1', port: sim.port, speed: options.speed } };
        process.stdout.write(
          `Mjölnir demo: the simulated exchange (Binance API on ${sim.url}, ${options.speed}x, seed ${options.seed}) ` +
            `and the paper loop, ${config.strategy.id} on ${config.symbols.join(', ')} ${config.timeframe}, until ${options.bars} bars are decided\n`,
        );
        const controller = new AbortController();
        const progress = new Progress('decided');
        let decided = 0;
        const log = sessionLogger(join(dir, 'paper.log'), () => {
          decided++;
          progress.update(decided, options.bars, 'bars');
          if (decided >= options.bars * config.symbols.length) controller.abort();
        });
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        let outcome: Awaited<ReturnType<typeof runPaper>>;
        try {
          outcome = await runPaper({
            config,
            dataRoot: dir,
            clock: systemClock,
            log,
            env: process.env,
            signal: controller.signal,
          });
        } finally {
          progress.done();
          await sim.close();
        }
        if (outcome.failed.length > 0) {
          for (const { stream: name, error } of outcome.failed)
            process.stderr.write(`error ${name}: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        const layout = new DataLayout(dir);
        const rows = readDecisions(layout.decisions(stream.tag, stream.symbol, stream.timeframe)).rows;
        const trades = readTrades(layout.trades(stream.tag, stream.symbol, stream.timeframe)).rows;
        const reasons: Record<string, number> = {};
        for (const row of rows)
          reasons[`${row.action}/${row.reason}`] = (reasons[`${row.action}/${row.reason}`] ?? 0) + 1;
        const stats = tradeStats(trades, config.capital);
        const lake = await Lake.open(dir);
        const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
        const stored = await lake.read(key, 0, Number.MAX_SAFE_INTEGER);
        const gaps = gapReport(
          stored,
          timeframe(stream.timeframe),
          stored.ts[0] ?? 0,
          stored.ts[stored.length - 1] ?? 0,
        );
        process.stdout.write(
          `${columns([
            [
              'decisions',
              `${num(rows.length)} (one per closed bar, ${isoUtc(rows[0]!.ts_ms)} .. ${isoUtc(rows.at(-1)!.ts_ms)})`,
            ],
            ...Object.entries(reasons)
              .sort((a, b) => b[1] - a[1])
              .map(([reason, count]) => [`  ${reason}`, num(count)]),
            [
              'trades',
              `${num(stats.trades)}  win rate ${pct(stats.winRate)}  net PnL ${num(stats.netPnl, 2)} (fees ${num(stats.fees, 2)})`,
            ],
            [
              'lake',
              `${num(stored.length)} bars in ${lake.layout.rawDir(key)}, ${num(gaps.missing)} missing`,
            ],
            ['journal', layout.decisions(stream.tag, stream.symbol, stream.timeframe)],
            ['logs', join(dir, 'paper.log')],
            ['took', `${((performance.now() - started) / 1000).toFixed(1)} s, ${outcome.iterations} polls`],
          ])}\n`,
        );
        // The runbook's proof that a backtest over the same bars reproduces what LIVE decided.
        try {
          const eq = await eqflat(lake, {
            spec: engineSpecOf(config),
            stream,
            runId: runIdNow('demo_eqflat'),
            codeVersion: codeVersion(),
            now: systemClock.now(),
          });
          process.stdout.write(
            `\neqflat: RUNID=${eq.runId}\n${formatEq(eq.result, `eq: LIVE ${stream.tag} vs BT ${eq.backtest.tag}`)}`,
          );
          if (!eq.result.overall) process.exitCode = 1;
        } finally {
          lake.close();
        }
      },
    );
}
