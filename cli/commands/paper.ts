import { loadConfig, MjolnirError, systemClock } from '@mjolnir/lib';
import { runPaper } from '@mjolnir/lib/live';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { createLogger } from '../logger.js';
import { dataRoot } from '../options.js';
import { configOption } from './backtest.js';

export function registerPaper(program: Command, io: CliIo): void {
  program
    .command('paper')
    .description(
      'the LIVE paper loop: one decision per closed bar, restart- and catch-up-safe (paper orders only)',
    )
    .addOption(configOption())
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .action(async (options: { config: string; dataRoot?: string }) => {
      const config = loadConfig(options.config, process.env);
      const log = createLogger(io);
      const signal = io.shutdown((received, repeated) =>
        repeated
          ? log.warn({ signal: received }, 'Shutdown already in progress (SIGKILL forces it)')
          : log.info({ signal: received }, 'Shutdown requested: finishing the iteration in flight'),
      );
      const outcome = await runPaper({
        config,
        dataRoot: dataRoot(options.dataRoot),
        clock: systemClock,
        log,
        env: process.env,
        signal,
      });
      for (const { stream, error } of outcome.failed) {
        const code = error instanceof MjolnirError ? error.code : 'unexpected';
        io.stderr.write(`error [${code}] ${stream}: ${error.message}\n`);
      }
      if (outcome.failed.length > 0) {
        const categories = outcome.failed.map((f) =>
          f.error instanceof MjolnirError ? f.error.category : 'invariant',
        );
        io.setExitCode(
          categories.includes('invariant')
            ? EXIT.bug
            : categories.includes('operator')
              ? EXIT.usage
              : EXIT.failed,
        );
      }
    });
}
