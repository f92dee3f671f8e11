import { Command, CommanderError } from 'commander';
import { registerBacktest } from './commands/backtest.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEngine } from './commands/engine.js';
import { registerExplain } from './commands/explain.js';
import { registerHealth } from './commands/health.js';
import { registerKernel } from './commands/kernel.js';
import { registerLake } from './commands/lake.js';
import { registerMarketData } from './commands/market-data.js';
import { registerMonitors } from './commands/monitors.js';
import { registerPaper } from './commands/paper.js';
import { registerQueue } from './commands/queue.js';
import { registerResearch } from './commands/research.js';
import { registerSim } from './commands/sim.js';
import { registerStrategies } from './commands/strategies.js';
import { registerTrain } from './commands/train.js';
import { registerTui } from './commands/tui.js';
import { EXIT, reportError } from './errors.js';
import type { CliIo } from './io.js';

/** Every command of `mjolnir`, writing to `io`. */
export function createProgram(io: CliIo): Command {
  // The command's environment: the one io read, DATA_ROOT set by `--data-root` (the process's is left alone).
  const env: Record<string, string | undefined> = { ...io.env };
  const run: CliIo = { ...io, env };
  const program = new Command()
    .name('mjolnir')
    .description('Mjölnir: research kernel and paper-trading system for crypto markets')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    // Subcommands made after this inherit the output routing and the exit override.
    .exitOverride()
    // `--data-root` is the data root of everything the command reads, models and configs naming
    // them included: it becomes DATA_ROOT in the command's environment for its whole run.
    .hook('preAction', (_program, action) => {
      const root = action.opts()['dataRoot'];
      if (typeof root === 'string' && root !== '') env['DATA_ROOT'] = root;
    });
  for (const register of [
    registerDemo,
    registerEngine,
    registerConfig,
    registerStrategies,
    registerSim,
    registerPaper,
    registerHealth,
    registerTui,
    registerMarketData,
    registerLake,
    registerBacktest,
    registerResearch,
    registerQueue,
    registerExplain,
    registerKernel,
    registerTrain,
    registerMonitors,
    registerDoctor,
  ])
    register(program, run);
  return program;
}

/**
 * Runs `mjolnir` with `argv` (as process.argv: node, script, arguments...) and returns its exit code:
 * 0 done, 1 a negative answer (eq FAIL, a failed check), 2 bad usage or an operator's problem
 * (named in one line), 3 a bug.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const recorded: CliIo = {
    ...io,
    setExitCode: (next) => {
      code = next;
    },
  };
  try {
    await createProgram(recorded).parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes get the contract's 2.
      code = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      code = reportError(error, io.stderr);
    }
  }
  return code;
}
