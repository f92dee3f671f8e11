import {
  DEFAULT_HEALTH,
  formatHealth,
  type HealthReport,
  healthExitCode,
  healthLine,
  loadConfig,
  systemClock,
} from '@mjolnir/lib';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { dataRoot, envFlag, envOption, graceOption, openLake, streamsConfigOption } from '../options.js';

interface HealthCliOptions {
  config?: string;
  dataRoot?: string;
  strict?: boolean;
  json?: boolean;
  line?: boolean;
  grace: number;
  url?: string;
}

/** What a paper process's `/health` answers: its kept verdict with its age, or why it has none. */
type Served = Partial<HealthReport> & { readonly age_ms?: number | null; readonly cause?: string };

/**
 * The verdict the paper process keeps, from its `/health` (HEALTH_URL): no second evaluation, no
 * request of ours to the exchange. When there is no verdict to read, the reason in words.
 */
async function served(base: string): Promise<{ report: HealthReport; age: number; cause?: string } | string> {
  const url = `${base.replace(/\/$/, '')}/health`;
  let body: Served;
  try {
    body = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as Served;
  } catch (error) {
    return `no paper process answers at ${url} (${(error as Error).message})`;
  }
  if (body.streams === undefined) return body.cause ?? `${url} gave no verdict`;
  return {
    report: body as HealthReport,
    age: body.age_ms ?? 0,
    ...(body.cause === undefined ? {} : { cause: body.cause }),
  };
}

/** The streams to judge, their facts read from the files and the lake, and the verdict. */
async function judge(options: HealthCliOptions, io: CliIo) {
  const root = dataRoot(options.dataRoot, io.env);
  const strict = options.strict === true || envFlag(io.env, 'STRICT');
  const config =
    options.config === undefined || options.config === '' ? null : loadConfig(options.config, io.env);
  const { checkHealth, VenueClocks } = await import('@mjolnir/lib/live');
  const lake = await openLake(root, io);
  const venues = new VenueClocks(systemClock, config);
  try {
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
    .addOption(
      envOption(
        '--url <base>',
        "read the running paper process's own verdict from its /health (HEALTH_URL, e.g. http://127.0.0.1:8080)",
        'HEALTH_URL',
      ),
    )
    .action(async (options: HealthCliOptions) => {
      const strict = options.strict === true || envFlag(io.env, 'STRICT');
      const json = options.json === true || envFlag(io.env, 'JSON');
      const got =
        options.url !== undefined && options.url !== ''
          ? await served(options.url)
          : { report: await judge(options, io) };
      if (typeof got === 'string') {
        io.stdout.write(json ? `${JSON.stringify({ status: 'FAIL', cause: got })}\n` : `FAIL ${got}\n`);
        io.setExitCode(2);
        return;
      }
      const report: HealthReport = { ...got.report, mode: strict ? 'strict' : 'operator' };
      const cause = 'cause' in got && got.cause !== undefined ? got.cause : null;
      const age = 'age' in got ? got.age : null;
      io.stdout.write(
        json
          ? `${JSON.stringify(age === null ? report : { ...report, age_ms: age, ...(cause === null ? {} : { cause }) })}\n`
          : options.line === true
            ? `${healthLine(report)}${cause === null ? '' : ` | ${cause}`}\n`
            : `${age === null ? '' : `the paper process's verdict, ${(age / 1000).toFixed(1)} s old${cause === null ? '' : `: ${cause}`}\n`}${formatHealth(report)}`,
      );
      io.setExitCode(healthExitCode(report));
    });
}
