import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, MjolnirError, systemClock } from '@mjolnir/lib';
import type { Command } from 'commander';
import { type DoctorCheck, doctorExitCode } from '../doctor/check.js';
import {
  apiKeys,
  configs,
  dataRoot as dataRootChecks,
  home,
  installed,
  jupyter,
  killSwitch,
  marketRules,
  nodeVersion,
  ports,
  tfjsBackend,
} from '../doctor/local.js';
import { exchangeChecks } from '../doctor/remote.js';
import type { CliIo } from '../io.js';
import { dataRoot } from '../options.js';

/** The repository (this file runs as dist/cli/commands/doctor.js). */
const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

interface DoctorOptions {
  config?: string;
  dataRoot?: string;
  verbose?: boolean;
  exchange?: boolean;
}

/** The configs the doctor checks: -c/CONFIG, else every configs/*.yaml. */
function configFiles(option: string | undefined): string[] {
  if (option !== undefined) return [option];
  const dir = join(REPO, 'configs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join('configs', f));
}

async function runChecks(
  options: DoctorOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<DoctorCheck[]> {
  const root = resolve(dataRoot(options.dataRoot, env));
  const files = configFiles(options.config ?? (env['CONFIG'] || undefined));
  const checks = [
    nodeVersion(),
    installed(REPO),
    ...dataRootChecks(root, env, options.verbose === true ? 20 : 5),
    home(env),
    killSwitch(root),
    ...configs(files, env, options.verbose === true),
  ];
  const main = files[0]!;
  let config = null;
  try {
    config = loadConfig(main, env);
  } catch (error) {
    if (!(error instanceof MjolnirError)) throw error;
  }
  if (config !== null) {
    checks.push(apiKeys(config.exchange, env), ...(await marketRules(config, root, systemClock.now())));
    if (options.exchange !== false) checks.push(...(await exchangeChecks(config, env)));
  }
  checks.push(jupyter(REPO), await tfjsBackend());
  checks.push(
    ...(await ports({
      'paper HTTP, HTTP_PORT': Number(env['HTTP_PORT'] || 8080),
      'Jupyter, JUPYTER_PORT': Number(env['JUPYTER_PORT'] || 8888),
    })),
  );
  return checks;
}

function format(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => {
    const head = `${c.status.padEnd(4)} ${c.name.padEnd(width)}  ${c.detail}`;
    return c.fix !== undefined ? `${head}\n${' '.repeat(width + 7)}fix: ${c.fix}` : head;
  });
  const fails = checks.filter((c) => c.status === 'FAIL').length;
  const warns = checks.filter((c) => c.status === 'WARN').length;
  return `${lines.join('\n')}\n${fails > 0 ? 'FAIL' : warns > 0 ? 'WARN' : 'OK'}: ${checks.length} checks, ${fails} failed, ${warns} warned\n`;
}

export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description(
      'preflight: OK/WARN/FAIL per check, each FAIL with the command that fixes it; exit 0 OK, 1 WARN, 2 FAIL (no writes)',
    )
    .option(
      '-c, --config <file>',
      'the config to check against its exchange (CONFIG; default every configs/*.yaml, the first one asked)',
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT, default ./data)')
    .option('--no-exchange', 'skip the exchange and clock checks (offline)')
    .option('--verbose', 'whole error messages, up to 20 misowned files')
    .action(async (options: DoctorOptions) => {
      const checks = await runChecks(options, io.env);
      io.stdout.write(format(checks));
      io.setExitCode(doctorExitCode(checks));
    });
}
