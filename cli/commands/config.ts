import { readFileSync } from 'node:fs';
import {
  formatProblem,
  MODEL_CLASSIFIER_ID,
  parseConfig,
  previewSpecOf,
  specFingerprint,
  streamsOf,
  usesVenueRules,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';

export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command('config').description('inspect and validate configs');
  config
    .command('check')
    .description(
      'validate config files; every problem is printed as file:line:column: key = value: expected ...',
    )
    .argument('<files...>', 'config files')
    .action(async (files: string[]) => {
      // ccxt (the exchange ids a config may name) loads for this command only.
      const { ccxtExchanges } = await import('@mjolnir/lib/exchange');
      let failed = false;
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          io.stderr.write(`${file}: cannot read: ${(error as Error).message}\n`);
          failed = true;
          continue;
        }
        const result = parseConfig(text, file, io.env, { knownExchanges: ccxtExchanges() });
        if (!result.ok) {
          for (const problem of result.error) io.stderr.write(`${formatProblem(problem)}\n`);
          failed = true;
          continue;
        }
        const streams = streamsOf(result.value).map(
          (s) => `${s.exchange} ${s.symbol} ${s.timeframe} (tag ${s.tag})`,
        );
        const { strategy } = result.value;
        // A training config names the model strategy before there is a model: nothing to compile yet.
        const what =
          strategy.id === MODEL_CLASSIFIER_ID && strategy.model === undefined && strategy.file === undefined
            ? 'trains a model for it (mjolnir train)'
            : `spec ${specFingerprint(previewSpecOf(result.value))}${usesVenueRules(result.value) ? " + the venue's market rules and fees" : ''}`;
        const model = strategy.model === undefined ? '' : `  model ${strategy.model.id}`;
        io.stdout.write(`${file}: ok  ${streams.join('; ')}  strategy ${strategy.id}${model}  ${what}\n`);
      }
      io.setExitCode(failed ? EXIT.usage : EXIT.ok);
    });
}
