#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerBacktest } from './commands/backtest.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerEngine } from './commands/engine.js';
import { registerLake } from './commands/lake.js';
import { registerMarketData } from './commands/market-data.js';
import { registerPaper } from './commands/paper.js';
import { registerResearch } from './commands/research.js';
import { registerSim } from './commands/sim.js';
import { registerStrategies } from './commands/strategies.js';
import { EXIT, reportError } from './errors.js';

const program = new Command()
  .name('mjolnir')
  .description('Mjölnir: research kernel and paper-trading system for crypto markets')
  .showHelpAfterError()
  .exitOverride();

registerDemo(program);
registerEngine(program);
registerConfig(program);
registerStrategies(program);
registerSim(program);
registerPaper(program);
registerMarketData(program);
registerLake(program);
registerBacktest(program);
registerResearch(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; usage mistakes get the contract's 2.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(error);
  }
}
