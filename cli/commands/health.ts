import {
  DEFAULT_HEALTH,
  formatHealth,
  healthExitCode,
  healthLine,
  loadConfig,
  systemClock,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { dataRoot, envFlag, graceOption, openLake, streamsConfigOption } from '../options.js';

interface HealthCliOptions {
  config?: string;
  dataRoot?: string;
  strict?: boolean;
  json?: boolean;
  line?: boolean;
  grace: number;
}

/** The streams to judge, their facts read from the files and the lake, and the verdict. */
async function judge(options: HealthCliOptions, io: CliIo) {
  const root = dataRoot(options.dataRoot);
  const config =
    options.config === undefined || options.config === '' ? null : loadConfig(options.config, process.env);
  const { checkHealth, VenueClocks } = await import('@mjolnir/lib/live');
  const lake = await openLake(root, io);
  const venues = new VenueClocks(systemClock, config);
  try {
    const strict = options.strict === true || envFlag('STRICT');
    return await checkHealth({
      root,
      config,
      lake,
      clock: systemClock,
      timeOf: venues.forCheck(),
      options: { ...DEFAULT_HEALTH, strict, graceBars: options.grace },
    });
  } finally {
    lake.close();
    await venues.close();
  }
}

export function registerHealth(program: Command, io: CliIo): void {
  program
    .command('health')
    .description(
      'healthcheck of the LIVE streams from the tails of their files: exit 0 OK, 1 WARN (strict only), 2 FAIL',
    )
    .addOption(streamsConfigOption())
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .option('--strict', 'WARN exits 1 (STRICT=1)')
    .option('--json', 'one JSON object (JSON=1)')
    .option('--line', 'the verdict on one line: STATUS stream: check figure; ... (for logs)')
    .addOption(graceOption())
    .action(async (options: HealthCliOptions) => {
      const report = await judge(options, io);
      const json = options.json === true || envFlag('JSON');
      io.stdout.write(
        json
          ? `${JSON.stringify(report)}\n`
          : options.line === true
            ? `${healthLine(report)}\n`
            : formatHealth(report),
      );
      io.setExitCode(healthExitCode(report));
    });
}
