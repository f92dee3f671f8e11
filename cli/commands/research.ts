import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { countOption, envOption, intOption, withWindow } from '../options.js';
import { configOption } from './backtest.js';
import type { LookaheadCliOptions } from './lookahead.js';
import type { SweepCliOptions } from './sweep.js';

export function registerResearch(program: Command, io: CliIo): void {
  withWindow(program.command('sweep'))
    .description('a grid of strategy parameters over one window on all cores; a table ranked by a metric')
    .addOption(configOption())
    .option(
      '-g, --grid <axis>',
      'a parameter axis: name=v1,v2,... or name=from:to[:step] (repeat per parameter)',
      (axis: string, axes: string[]) => [...axes, axis],
      [] as string[],
    )
    .option(
      '--sort <metric>',
      'rank by: total_return, sharpe, sortino, max_drawdown, exposure, net_pnl, profit_factor, win_rate, trades',
      'sharpe',
    )
    .option('--top <n>', 'rows shown', intOption, 20)
    .option('--workers <n>', 'worker threads (0: in this thread; default one per core)', intOption)
    .addOption(envOption('--runid <id>', 'run id for runs/<RUNID>/ (default sweep_<date>_<time>)', 'RUNID'))
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .addOption(envOption('--queue <url>', "run on a queue's workers: redis://host:port/db", 'QUEUE'))
    .addOption(
      envOption(
        '--snapshots <dir>',
        'shared folder of bar snapshots the workers read (default <data root>/snapshots)',
        'SNAPSHOTS_DIR',
      ),
    )
    .option('--shard-size <n>', 'sets per shard on a queue or plan (default: about 64 shards)', countOption)
    .option('--plan <dir>', 'write a Kubernetes plan (plan.json, snapshots/) instead of running')
    .option('--collect <plan>', "rank a plan's results (its indexes' results/): no --config or --grid")
    .action(async (options: SweepCliOptions) => {
      const { sweep } = await import('./sweep.js');
      await sweep(options, io);
    });

  withWindow(program.command('lookahead'))
    .description(
      "proves the config's strategy does not peek: decisions on data cut at many points equal the full run's",
    )
    .addOption(configOption())
    .option('--cuts <n>', 'cut points, spread evenly', countOption, 20)
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action(async (options: LookaheadCliOptions) => {
      // The backtest area (DuckDB) loads for these commands only.
      const { lookahead } = await import('./lookahead.js');
      await lookahead(options, io);
    });
}
