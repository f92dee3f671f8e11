import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  type Config,
  DataLayout,
  isoUtc,
  KERNEL_CHECKOUT_VARIABLE,
  kernelCheckoutProblem,
  loadConfig,
  MjolnirError,
  streamsOf,
  usesVenueRules,
} from '@mjolnir/lib';
import { type DoctorCheck, fail, ok, warn } from './check.js';

const GB = 1024 ** 3;

export function nodeVersion(version = process.versions.node): DoctorCheck {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 20 || (major === 20 && minor >= 19)
    ? ok('node', `v${version}`)
    : fail(
        'node',
        `v${version}, Mjölnir needs >= 20.19`,
        "nvm install 20 && nvm use 20 (or the distribution's nodejs 20)",
      );
}

export function installed(repo: string): DoctorCheck {
  if (!existsSync(join(repo, 'node_modules/.package-lock.json')))
    return fail('dependencies', 'node_modules is missing', 'make install');
  const built = ['dist/cli/main.js', 'lib/dist/index.js', 'tui/dist/index.js'].filter(
    (p) => !existsSync(join(repo, p)),
  );
  if (built.length > 0) return fail('dependencies', `not built: ${built.join(', ')}`, 'make build');
  // What make installed from (Makefile's INSTALLED marker): a lock with other content needs an install.
  const marker = join(repo, 'node_modules/.mjolnir-installed-lock');
  const stale =
    existsSync(marker) && !readFileSync(marker).equals(readFileSync(join(repo, 'package-lock.json')));
  return stale
    ? warn('dependencies', 'package-lock.json changed after the install', 'make install')
    : ok('dependencies', 'installed and built');
}

/** Files under `root` not owned by `uid`, at most `limit` entries looked at. */
function foreignFiles(
  root: string,
  uid: number,
  show: number,
  limit = 20_000,
): { found: string[]; looked: number } {
  const found: string[] = [];
  const queue = [root];
  let looked = 0;
  while (queue.length > 0 && looked < limit && found.length < show) {
    const dir = queue.shift()!;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      // A directory the user cannot list: the walk reports what it can read.
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const s = lstatSync(path, { throwIfNoEntry: false });
      looked++;
      if (s === undefined) continue;
      if (s.uid !== uid) found.push(`${path} (uid ${s.uid})`);
      if (s.isDirectory()) queue.push(path);
    }
  }
  return { found, looked };
}

/**
 * The data root: there, writable (a read-only mount is caught even for root), every file owned by
 * the user the loop runs as (MJOLNIR_UID from `make env`, else this user), and its free disk.
 */
export function dataRoot(
  root: string,
  env: NodeJS.ProcessEnv,
  show = 5,
  uid = process.getuid?.() ?? 0,
): DoctorCheck[] {
  if (!existsSync(root))
    return [warn('data root', `${root} does not exist yet (the first run creates it)`, `mkdir -p ${root}`)];
  if (!statSync(root).isDirectory())
    return [
      fail(
        'data root',
        `${root} is a file, not a directory: the loop cannot create anything under it (ENOTDIR)`,
        `mv ${root} ${root}.bak   (or set DATA_ROOT to a directory)`,
      ),
    ];
  const checks: DoctorCheck[] = [];
  try {
    accessSync(root, constants.W_OK);
    checks.push(ok('data root', `${root} writable`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'on a read-only file system' : 'not writable by this user';
    checks.push(
      fail(
        'data root',
        `${root} is ${why}`,
        code === 'EROFS' ? `mount -o remount,rw <its mount>` : `sudo chown -R $(id -u):$(id -g) ${root}`,
      ),
    );
  }
  const owner =
    env['MJOLNIR_UID'] !== undefined && env['MJOLNIR_UID'] !== '' ? Number(env['MJOLNIR_UID']) : uid;
  const { found, looked } = foreignFiles(root, owner, show);
  checks.push(
    found.length === 0
      ? ok('data owner', `${looked} entries, all owned by uid ${owner}`)
      : fail(
          'data owner',
          `owned by another user (the loop runs as uid ${owner}): ${found.join(', ')}${found.some((f) => f.endsWith('(uid 0)')) ? ': root-owned, left by a container or sudo' : ''}`,
          `sudo chown -R ${owner}:${env['MJOLNIR_GID'] || owner} ${root}`,
        ),
  );
  const fs = statfsSync(root);
  const free = (fs.bavail * fs.bsize) / GB;
  checks.push(
    free > 10
      ? ok('disk', `${free.toFixed(1)} GB free`)
      : warn(
          'disk',
          `${free.toFixed(1)} GB free under ${root} (< 10 GB)`,
          'free space or move DATA_ROOT to a larger disk',
        ),
  );
  return checks;
}

export function killSwitch(root: string): DoctorCheck {
  const flag = join(root, 'state', 'kill_switch.flag');
  return existsSync(flag)
    ? warn(
        'kill switch',
        `engaged since ${statSync(flag).mtime.toISOString()}: no new entries`,
        `rm ${flag}   (when you mean to resume)`,
      )
    : ok('kill switch', 'not engaged');
}

/** Each config with every problem it has (not only the first): one line each under `--verbose`. */
export function configs(files: readonly string[], env: NodeJS.ProcessEnv, verbose = false): DoctorCheck[] {
  return files.map((file) => {
    try {
      const config = loadConfig(file, env);
      return ok(
        'config',
        `${file}: ${config.exchange} ${config.symbols.join(',')} ${config.timeframe} ${config.strategy.id}`,
      );
    } catch (error) {
      if (!(error instanceof MjolnirError)) throw error;
      const problems = error.message
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter((line) => line !== '');
      const listed = problems.length === 0 ? [error.message] : problems;
      return fail(
        'config',
        verbose
          ? `${file}: ${listed.length} problem(s):${listed.map((p) => `\n  - ${p}`).join('')}`
          : `${file}: ${listed.length} problem(s): ${listed.join('; ')}`,
        `edit ${file} (mjolnir config check ${file})`,
      );
    }
  });
}

/**
 * HOME: where the cron scripts log (~/trade_reboot.log, ~/trade_heartbeat.log) and Jupyter keeps its
 * kernelspecs; a read-only one moves those logs to the temporary directory and stops `make lab`.
 */
export function home(env: NodeJS.ProcessEnv): DoctorCheck {
  const dir = env['HOME'];
  if (dir === undefined || dir === '')
    return warn(
      'home',
      'HOME is not set: the cron scripts cannot find their logs',
      'export HOME=<your home>',
    );
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return fail('home', `HOME=${dir} is not a directory`, 'export HOME=<your home directory>');
  const where = writableAncestor(dir);
  return where === dir
    ? ok('home', `${dir} writable (cron logs, Jupyter kernelspecs)`)
    : warn(
        'home',
        `${dir} is not writable: the cron scripts log to $TMPDIR instead, make lab cannot install its kernelspec`,
        `sudo chown $(id -u):$(id -g) ${dir}   (or mount it read-write)`,
      );
}

/** The nearest existing directory at or above `path` if it is writable, else null. */
function writableAncestor(path: string): string | null {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    // Not writable by this user (EACCES, EROFS): the check says so.
    return null;
  }
}

/** API keys: present or not (never printed). Mjölnir only paper-trades: none is needed. */
export function apiKeys(exchange: string, env: NodeJS.ProcessEnv): DoctorCheck {
  const prefix = exchange.toUpperCase();
  const key = env[`${prefix}_API_KEY`];
  const secret = env[`${prefix}_API_SECRET`];
  if (!key && !secret) return ok('api keys', `none for ${exchange}: paper mode needs none`);
  if (key && !secret)
    return warn(
      'api keys',
      `${prefix}_API_KEY set without ${prefix}_API_SECRET`,
      `set ${prefix}_API_SECRET in .env`,
    );
  return ok('api keys', `${prefix}_API_KEY and _SECRET present (not shown; paper mode does not use them)`);
}

export function jupyter(repo: string): DoctorCheck {
  // PATH's jupyter, else the system's (make lab installs it from apt for /usr/bin/python3).
  const paths = (jupyter: string) =>
    spawnSync(jupyter, ['--paths', '--json'], { encoding: 'utf8', timeout: 10_000 });
  let run = paths('jupyter');
  if (run.error !== undefined || run.status !== 0) run = paths('/usr/bin/jupyter');
  if (run.error !== undefined || run.status !== 0)
    return warn('jupyter', 'jupyter is not installed here', 'make lab (installs it from apt)');
  const data = (JSON.parse(run.stdout) as { data: string[] }).data;
  const spec = data.map((dir) => join(dir, 'kernels/mjolnir-ts/kernel.json')).find((f) => existsSync(f));
  const tslab = existsSync(join(repo, 'kernel/node_modules/tslab/bin/tslab'));
  if (spec === undefined || !tslab) {
    // make lab installs the kernelspec into the user's data directory: it must be writable.
    const target = join(data[0] ?? '', 'kernels');
    if (data[0] !== undefined && writableAncestor(target) === null)
      return fail(
        'jupyter',
        `the mjolnir-ts kernelspec is not installed and ${target} is not writable: make lab cannot install it`,
        `sudo chown -R $(id -u):$(id -g) ${data[0]}   (or JUPYTER_DATA_DIR=<a writable directory>)`,
      );
    return warn(
      'jupyter',
      `jupyter found; ${tslab ? 'the mjolnir-ts kernelspec is not installed' : 'the kernel (tslab) is not installed'}`,
      'make lab   (or: node dist/cli/main.js kernel install)',
    );
  }
  const other = otherCheckout(spec, repo);
  if (other !== null)
    return warn(
      'jupyter',
      `the mjolnir-ts kernelspec at ${dirname(spec)} runs ${other}, not this checkout (${realpathSync(repo)}): its notebooks would refuse to load the library`,
      "make lab   (installs this checkout's kernel)",
    );
  return ok('jupyter', `kernelspec mjolnir-ts at ${dirname(spec)}`);
}

/** Whose kernel a kernelspec runs when it is not `repo`'s: a checkout, or an older install; else null. */
function otherCheckout(spec: string, repo: string): string | null {
  let checkout: unknown;
  try {
    const parsed = JSON.parse(readFileSync(spec, 'utf8')) as { env?: Record<string, unknown> };
    checkout = parsed.env?.[KERNEL_CHECKOUT_VARIABLE];
  } catch {
    return 'a kernel it cannot describe (not valid JSON)';
  }
  if (typeof checkout !== 'string') return 'a kernel installed before kernels named their checkout';
  // The library's own test of a kernel against a checkout (what a notebook would meet).
  const problem = kernelCheckoutProblem({ [KERNEL_CHECKOUT_VARIABLE]: checkout }, repo);
  return problem === null ? null : `the kernel of ${checkout}`;
}

/** The tfjs backend training would use, without loading tfjs; and whether a GPU answers. */
export async function tfjsBackend(): Promise<DoctorCheck> {
  const { installedBackend } = await import('@mjolnir/lib/train');
  const backend = installedBackend();
  const gpu = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  const seen = gpu.status === 0 ? gpu.stdout.split('\n')[0]!.trim() : 'no GPU seen (nvidia-smi)';
  if (backend.name === 'tensorflow') return ok('tfjs', `tensorflow (${backend.package}); ${seen}`);
  if (backend.name === 'wasm')
    return ok('tfjs', `wasm (tfjs-node not installed: the GPU image has it); ${seen}`);
  return warn('tfjs', `cpu only; ${seen}`, 'make install');
}

/** Whether 127.0.0.1:port can be listened on (bound and closed at once). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function ports(wanted: Readonly<Record<string, number>>): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const [what, port] of Object.entries(wanted)) {
    if (port === 0) {
      checks.push(ok('port', `0 (${what}): a free port is taken at start`));
      continue;
    }
    checks.push(
      (await portFree(port))
        ? ok('port', `${port} free (${what})`)
        : warn(
            'port',
            `${port} in use (${what}): another process listens there`,
            `ss -ltnp 'sport = :${port}'  (stop it, or choose another port)`,
          ),
    );
  }
  return checks;
}

/**
 * The market rules a config trades under when it says `market_rules: venue`: when they were read (by
 * the venue's clock) and whether they changed from the ones before (a backtest applies the current).
 */
export async function marketRules(config: Config, root: string, now: number): Promise<DoctorCheck[]> {
  if (!usesVenueRules(config)) return [];
  const { readRulesSnapshot, rulesChanges } = await import('@mjolnir/lib/store');
  const layout = new DataLayout(root);
  return streamsOf(config).map((stream) => {
    const name = 'market rules';
    const key = { exchange: stream.exchange, symbol: stream.symbol, timeframe: stream.timeframe };
    const snapshot = readRulesSnapshot(layout, key);
    if (snapshot === null)
      return warn(
        name,
        `${stream.symbol}: none stored yet (the paper loop reads them from ${config.exchange} when it starts)`,
        `mjolnir backfill -c CONFIG --start <time>   (reads and stores them now)`,
      );
    const r = snapshot.rules;
    const stated = `step ${r.amountStep}, min amount ${r.minAmount ?? 'none'}, tick ${r.priceTick}, min notional ${r.minNotional ?? 'none'}`;
    // A simulator's clock is virtual: its read time is a date, not an age.
    const when =
      snapshot.read_at === null
        ? 'read at an unknown venue time'
        : config.simulator === undefined
          ? `read ${((now - snapshot.read_at) / 3_600_000).toFixed(1)} hours ago`
          : `read at ${isoUtc(snapshot.read_at)} (simulated)`;
    if (snapshot.previous !== undefined) {
      const changes = rulesChanges(snapshot.previous, snapshot).join('; ');
      return warn(
        name,
        `${stream.symbol}: ${when}, changed since the read before (${changes}): ${stated}`,
        'check that the sizing still meets the minimums; runs before the change traded under the old rules (their manifests keep them)',
      );
    }
    return ok(name, `${stream.symbol}: ${when}: ${stated}`);
  });
}
