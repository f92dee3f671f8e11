import { loadConfig, MjolnirError } from '@mjolnir/lib';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { dataRoot, graceOption, streamsConfigOption } from '../options.js';

interface TuiCliOptions {
  config?: string;
  dataRoot?: string;
  grace: number;
}

export function registerTui(program: Command, io: CliIo): void {
  program
    .command('tui')
    .description('the operator dashboard (Ink): the LIVE streams as their journals grow, read-only; q quits')
    .addOption(streamsConfigOption())
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .addOption(graceOption())
    .action(async (options: TuiCliOptions) => {
      if (process.stdout.isTTY !== true || process.stdin.isTTY !== true)
        throw new MjolnirError(
          'input_invalid',
          'mjolnir tui needs a terminal (stdin and stdout a TTY); for a one-shot verdict use make health',
        );
      const config = options.config === undefined ? null : loadConfig(options.config, io.env);
      // Loaded here, not at the CLI's start: React and Ink cost only the command that draws.
      const { runDashboard } = await import('@mjolnir/tui');
      await runDashboard({
        dataRoot: dataRoot(options.dataRoot, io.env),
        config,
        env: io.env,
        graceBars: options.grace,
      });
      io.setExitCode(0);
    });
}
