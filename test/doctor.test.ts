/**
 * `mjolnir doctor` on a healthy setup and on planted faults (a read-only data root, a file of another
 * user in it, a bad config, an unreachable exchange, a skewed exchange clock), each with the right
 * FAIL/WARN and its fix; and a fake API key in the environment reaching no log line and no file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@mjolnir/lib';
import { FaultPlan, type SimServer, SyntheticSource, startSimServer, VirtualClock } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, decisions, exited, paper, start, waitFor } from './support/processes.js';
import { smallDisk } from './support/small-disk.js';

const work = mkdtempSync(join(tmpdir(), 'mjolnir-doctor-'));
const jupyterDir = join(work, 'jupyter');
let sim: SimServer;

/** A simulator whose clock is this machine's (speed 1), so the doctor can compare the two. */
async function realTimeSim(offsetMs = 0): Promise<SimServer> {
  const now = systemClock.now();
  const faults = new FaultPlan();
  if (offsetMs !== 0) faults.configure({ time_jump: { at: 0, offset_ms: offsetMs } });
  return startSimServer({
    clock: new VirtualClock(now, 1, systemClock),
    markets: { 'BTC/USDT': new SyntheticSource(now - 10 * 86_400_000, 3, 'BTC/USDT') },
    faults,
  });
}

function configFor(port: number, name = 'sim.yaml', speed = 1): string {
  const path = join(work, name);
  writeFileSync(
    path,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: doc
simulator: { port: ${port}, speed: ${speed} }
strategy: { id: ema_cross_atr, params: { fast: 3, slow: 8, atr_period: 5 } }
fetch: { timeout_ms: 1000, attempts: 2 }
paper: { history_bars: 60 }
`,
  );
  return path;
}

/** The doctor as a child process, waited for without blocking this process (the simulator runs here). */
async function doctor(config: string, root: string, env: Record<string, string> = {}) {
  const child = start(process.execPath, [CLI, 'doctor', '-c', config, '--data-root', root], {
    JUPYTER_PATH: jupyterDir,
    JUPYTER_PORT: '0',
    ...env,
  });
  const status = await exited(child);
  const stdout = child.output();
  const lines = stdout.split('\n');
  const at = (name: string) => lines.findIndex((l) => l.slice(5).startsWith(name));
  const line = (name: string) => lines[at(name)] ?? '';
  const fixOf = (name: string) => {
    const next = lines[at(name) + 1]?.trim() ?? '';
    return at(name) >= 0 && next.startsWith('fix: ') ? next.slice(5) : '';
  };
  return { status, stdout, line, fixOf };
}

const freshRoot = () => {
  const root = join(mkdtempSync(join(tmpdir(), 'mjolnir-doctor-root-')), 'data');
  mkdirSync(root);
  return root;
};

beforeAll(async () => {
  spawnSync(process.execPath, [CLI, 'kernel', 'install', '--dir', jupyterDir]);
  sim = await realTimeSim();
});
afterAll(async () => {
  await sim.close();
});

describe('mjolnir doctor', () => {
  it('says OK on a healthy setup, each check on its own line, exit 0', async () => {
    const run = await doctor(configFor(sim.port), freshRoot());
    for (const name of [
      'node',
      'dependencies',
      'data root',
      'data owner',
      'home',
      'kill switch',
      'config',
      'api keys',
      'exchange',
      'clock',
      'jupyter',
      'tfjs',
      'port',
    ])
      expect(run.line(name), `${name} in:\n${run.stdout}`).toMatch(/^OK /);
    expect(run.line('clock')).toMatch(/ms against the simulator/);
    // Every line OK but the free disk, which depends on the machine the suite runs on.
    const disk = run.line('disk');
    expect(run.status, run.stdout).toBe(disk.startsWith('OK') ? 0 : 1);
    if (!disk.startsWith('OK')) expect(disk).toMatch(/GB free under .* \(< 10 GB\)$/);
  });

  it("WARNs a kernelspec that runs another checkout's kernel (or an older one), naming make lab", async () => {
    const other = join(work, 'jupyter-other');
    spawnSync(process.execPath, [CLI, 'kernel', 'install', '--dir', other]);
    const spec = join(other, 'kernels/mjolnir-ts/kernel.json');
    const installed = JSON.parse(readFileSync(spec, 'utf8'));
    writeFileSync(
      spec,
      JSON.stringify({ ...installed, env: { MJOLNIR_KERNEL_CHECKOUT: '/srv/another-checkout' } }),
    );
    const run = await doctor(configFor(sim.port), freshRoot(), { JUPYTER_PATH: other });
    expect(run.line('jupyter')).toMatch(
      /^WARN jupyter +the mjolnir-ts kernelspec at .*jupyter-other\/kernels\/mjolnir-ts runs the kernel of \/srv\/another-checkout, not this checkout \(/,
    );
    expect(run.fixOf('jupyter')).toBe("make lab   (installs this checkout's kernel)");
    const { env: _env, ...older } = installed;
    writeFileSync(spec, JSON.stringify(older));
    const old = await doctor(configFor(sim.port), freshRoot(), { JUPYTER_PATH: other });
    expect(old.line('jupyter')).toMatch(/runs a kernel installed before kernels named their checkout/);
  });

  it('FAILs a data root on a read-only file system, naming the fix', async () => {
    const disk = await smallDisk(1024);
    try {
      await disk.readOnly(true, disk.root);
      // A read-only HOME as well: the cron logs move to $TMPDIR, make lab cannot install its kernelspec.
      const run = await doctor(configFor(sim.port), disk.root, { HOME: disk.root });
      expect(run.status).toBe(2);
      expect(run.line('data root')).toMatch(/^FAIL .* is on a read-only file system$/);
      expect(run.fixOf('data root')).toMatch(/^mount -o remount,rw/);
      expect(run.line('home')).toMatch(/^WARN .* is not writable: the cron scripts log to \$TMPDIR instead/);
    } finally {
      await disk.close();
    }
  });

  it("FAILs files in the data root the loop's user does not own (root-owned ones said so)", async () => {
    const root = freshRoot();
    mkdirSync(join(root, 'raw'));
    writeFileSync(join(root, 'raw', 'left-by-sudo.parquet'), 'x');
    const me = statSync(root).uid;
    const loopUser = String(me + 1000);
    const run = await doctor(configFor(sim.port), root, { MJOLNIR_UID: loopUser, MJOLNIR_GID: loopUser });
    expect(run.status).toBe(2);
    expect(run.line('data owner')).toContain(`owned by another user (the loop runs as uid ${loopUser})`);
    expect(run.line('data owner')).toContain(`left-by-sudo.parquet (uid ${me})`);
    if (me === 0) expect(run.line('data owner')).toContain('root-owned');
    expect(run.fixOf('data owner')).toBe(`sudo chown -R ${loopUser}:${loopUser} ${root}`);
  });

  it('FAILs a bad config with where it is wrong and how to check it', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, readFileSync(configFor(sim.port), 'utf8').replace('fast: 3', 'fast: -3'));
    const run = await doctor(bad, freshRoot());
    expect(run.status).toBe(2);
    expect(run.line('config')).toMatch(/^FAIL .*bad\.yaml:6:\d+: strategy\.params\.fast = -3/);
    expect(run.fixOf('config')).toBe(`edit ${bad} (mjolnir config check ${bad})`);
  });

  it('FAILs a data root that is a regular file (the loop would fail ENOTDIR), and a HOME that is not a directory', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mjolnir-doctor-file-')), 'data');
    writeFileSync(file, 'not a directory\n');
    const run = await doctor(configFor(sim.port), file, { HOME: file });
    expect(run.status).toBe(2);
    expect(run.line('data root')).toMatch(/^FAIL .*data is a file, not a directory/);
    expect(run.fixOf('data root')).toContain(`mv ${file} ${file}.bak`);
    expect(run.line('home')).toMatch(/^FAIL home +HOME=.* is not a directory/);
  });

  it('lists every problem of a bad config, one line each under --verbose', async () => {
    const bad = join(work, 'twice-bad.yaml');
    const text = readFileSync(configFor(sim.port), 'utf8');
    writeFileSync(bad, `${text.replace('timeframe: 5m', 'timeframe: 7m')}capital: -1\n`);
    const run = await doctor(bad, freshRoot(), {});
    expect(run.line('config')).toMatch(
      /^FAIL .*twice-bad\.yaml: 2 problem\(s\): .*timeframe = "7m".*; .*capital = -1/,
    );
    const child = start(process.execPath, [CLI, 'doctor', '-c', bad, '--no-exchange', '--verbose'], {
      JUPYTER_PATH: jupyterDir,
    });
    await exited(child);
    expect(child.output()).toMatch(/2 problem\(s\):\n {2}- .*timeframe = "7m"[^\n]*\n {2}- .*capital = -1/);
  });

  it("measures a simulator's speed: one running at another speed than the config says is a WARN", async () => {
    const fast = await startSimServer({
      clock: new VirtualClock(systemClock.now(), 300, systemClock),
      markets: { 'BTC/USDT': new SyntheticSource(systemClock.now() - 86_400_000, 3, 'BTC/USDT') },
      faults: new FaultPlan(),
    });
    try {
      const right = await doctor(configFor(fast.port, 'fast.yaml', 300), freshRoot());
      expect(right.line('clock')).toMatch(
        /^OK +clock +the simulator runs at \d+x \(measured\), the config says 300x/,
      );
      const wrong = await doctor(configFor(fast.port, 'slow.yaml', 30), freshRoot());
      expect(wrong.line('clock')).toMatch(
        /^WARN clock +the simulator runs at \d+x \(measured\), the config says 30x/,
      );
      expect(wrong.fixOf('clock')).toMatch(/^SIM_SPEED=\d+ for the loop/);
    } finally {
      await fast.close();
    }
  });

  it('FAILs an unreachable exchange, naming what to start', async () => {
    const run = await doctor(configFor(1, 'nowhere.yaml'), freshRoot());
    expect(run.status).toBe(2);
    expect(run.line('exchange')).toMatch(/^FAIL .*the simulator on 127\.0\.0\.1:1 unreachable/);
    expect(run.fixOf('exchange')).toMatch(/^make sim/);
  });

  it('WARNs a clock 200 ms or more off the exchange, FAILs one 1000 ms off', async () => {
    const skewed = await realTimeSim(400);
    const far = await realTimeSim(-1500);
    try {
      const warned = await doctor(configFor(skewed.port, 'skewed.yaml'), freshRoot());
      expect(warned.line('clock')).toMatch(/^WARN clock +\+\d+ ms against .*>= 200 ms$/);
      expect(warned.fixOf('clock')).toMatch(/^sudo timedatectl set-ntp true/);
      const failed = await doctor(configFor(far.port, 'far.yaml'), freshRoot());
      expect(failed.status).toBe(2);
      expect(failed.line('clock')).toMatch(/^FAIL clock +-1\d{3} ms against .*>= 1000 ms$/);
    } finally {
      await skewed.close();
      await far.close();
    }
  });
});

describe('API keys', () => {
  it('a fake key in the environment reaches no log line and no file under the data root', async () => {
    const KEY = 'fake-api-key-7f3a9c21d4';
    const SECRET = 'fake-api-secret-0b8e55';
    const env = { BINANCE_API_KEY: KEY, BINANCE_API_SECRET: SECRET };
    const root = freshRoot();
    const fast = await startSimServer({
      clock: new VirtualClock(Date.UTC(2024, 5, 1), 300, systemClock),
      markets: { 'BTC/USDT': new SyntheticSource(Date.UTC(2024, 4, 1), 5, 'BTC/USDT') },
      faults: new FaultPlan(),
    });
    try {
      const config = configFor(fast.port, 'keys.yaml', 300);
      const doc = await doctor(config, root, env);
      expect(doc.line('api keys')).toContain('BINANCE_API_KEY and _SECRET present (not shown');
      const live = paper(config, root, env);
      await waitFor(() => decisions(root, 'doc').length >= 10, '10 decisions', live);
      live.kill('SIGTERM');
      await exited(live);
      const said = `${doc.stdout}${live.output()}`;
      const files = (readdirSync(root, { recursive: true }) as string[])
        .map((f) => join(root, f))
        .filter((f) => statSync(f).isFile());
      expect(files.length).toBeGreaterThan(3);
      for (const secret of [KEY, SECRET]) {
        expect(said).not.toContain(secret);
        for (const file of files) expect(readFileSync(file).includes(secret), file).toBe(false);
      }
    } finally {
      await fast.close();
    }
  }, 120_000);
});
