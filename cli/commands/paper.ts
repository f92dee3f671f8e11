import { loadConfig, MjolnirError, runPaper, systemClock } from '@mjolnir/lib';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { createLogger } from '../logger.js';
import { dataRoot } from '../options.js';

export function registerPaper(program: Command): void {
  program
    .command('paper')
    .description(
      'the LIVE paper loop: one decision per closed bar, restart- and catch-up-safe (paper orders only)',
    )
    .option('-c, --config <file>', 'config file (CONFIG)', process.env['CONFIG'] ?? 'configs/sim.yaml')
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .action(async (options: { config: string; dataRoot?: string }) => {
      const config = loadConfig(options.config, process.env);
      const log = createLogger();
      const controller = new AbortController();
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          log.info({ signal }, 'Shutdown requested: finishing the iteration in flight');
          controller.abort();
        });
      }
      const outcome = await runPaper({
        config,
        dataRoot: dataRoot(options.dataRoot),
        clock: systemClock,
        log,
        env: process.env,
        signal: controller.signal,
      });
      for (const { stream, error } of outcome.failed) {
        const code = error instanceof MjolnirError ? error.code : 'unexpected';
        process.stderr.write(`error [${code}] ${stream}: ${error.message}\n`);
      }
      if (outcome.failed.length > 0) {
        const categories = outcome.failed.map((f) =>
          f.error instanceof MjolnirError ? f.error.category : 'invariant',
        );
        process.exitCode = categories.includes('invariant')
          ? EXIT.bug
          : categories.includes('operator')
            ? EXIT.usage
            : EXIT.failed;
      }
    });
}
