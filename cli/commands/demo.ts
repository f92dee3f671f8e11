import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { countOption, envOption, intOption, numberOption, timeOption } from '../options.js';
import type { DemoOptions } from './demo-session.js';
import { venueOption } from './sim.js';

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'the main job on the embedded default: the simulated exchange and the paper loop for a bounded session, then a summary',
    )
    .addOption(
      envOption(
        '-c, --config <file>',
        "config (its simulator settings are overridden; default the venue's: configs/sim.yaml, configs/sim-coinbase.yaml)",
        'CONFIG',
      ),
    )
    .addOption(
      envOption(
        '--venue <id>',
        "the exchange the simulator speaks: binance or coinbase (default the config's)",
        'VENUE',
        venueOption,
      ),
    )
    .addOption(
      envOption('-n, --bars <count>', 'bars to decide before stopping', 'DEMO_BARS', countOption, 200),
    )
    .addOption(
      envOption('--speed <factor>', 'simulated seconds per real second', 'SIM_SPEED', numberOption, 6000),
    )
    .addOption(envOption('--seed <seed>', 'seed of the simulated market', 'SIM_SEED', intOption, 42))
    .addOption(envOption('--start <time>', 'simulated start', 'SIM_START', timeOption, Date.UTC(2024, 2, 1)))
    .option('--data-root <dir>', 'data root; the session uses <root>/demo (DATA_ROOT)')
    .action(async (options: DemoOptions) => {
      // The simulator, the paper loop, DuckDB and ccxt load for this command only.
      const { demo } = await import('./demo-session.js');
      await demo(options, io);
    });
}
