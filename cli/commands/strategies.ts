import { STRATEGIES } from '@mjolnir/lib';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';

export function registerStrategies(program: Command, io: CliIo): void {
  program
    .command('strategies')
    .description('list the built-in strategies with their parameters and defaults')
    .action(() => {
      for (const definition of Object.values(STRATEGIES)) {
        const defaults = definition.params.parse({});
        const params = Object.entries(defaults)
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(' ');
        io.stdout.write(`${definition.id}\n  ${definition.summary}\n  defaults: ${params}\n`);
      }
    });
}
