/**
 * ops/: the cron scripts without Docker, driven by fake `docker`, `nvidia-smi` and `curl` on their
 * PATH (and the real flock): every branch asserted by its log line and exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HealthReport, healthLine } from '@mjolnir/lib';
import { describe, expect, it } from 'vitest';
import { fakeOps } from './support/fake-ops.js';
import { ROOT, waitFor } from './support/processes.js';

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;

function script(name: string, env: Record<string, string> = {}) {
  const fake = fakeOps();
  const run = spawnSync('/bin/bash', [join(ROOT, 'ops', name)], {
    // As cron starts it: a bare PATH (the script names its own), HOME for the logs.
    env: {
      PATH: '/usr/bin:/bin',
      HOME: fake.home,
      MJOLNIR_OPS_PATH: fake.bin,
      MJOLNIR_LOCK_DIR: fake.home,
      ...env,
    },
    encoding: 'utf8',
  });
  const log = (file: string) => {
    const path = join(fake.home, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  const calls = () =>
    existsSync(join(fake.state, 'calls')) ? readFileSync(join(fake.state, 'calls'), 'utf8') : '';
  return { ...run, fake, log, calls };
}

const reboot = (env: Record<string, string> = {}) => {
  const run = script('cron_reboot.sh', env);
  return { ...run, text: run.log('trade_reboot.log') };
};

describe('cron_reboot.sh', () => {
  it('starts the GPU stack when the GPU is usable inside a container', () => {
    const run = reboot();
    expect(run.status).toBe(0);
    expect(run.text).toContain('GPU seen on the host: starting the GPU stack');
    expect(run.text).toContain('OK: GPU stack up, the GPU usable inside the paper container');
    for (const line of run.text.trimEnd().split('\n')) expect(line).toMatch(STAMP);
    expect(run.calls()).toMatch(/docker compose .*-f \S+\/docker-compose\.gpu\.yml up -d/);
    expect(run.calls()).not.toMatch(/ down/);
  });

  it('falls back to the CPU stack when the GPU is present but not usable from a container', () => {
    const run = reboot({ FAKE_GPU_USABLE: '0' });
    expect(run.status).toBe(0);
    expect(run.text).toContain('WARN: the GPU is not usable from a container');
    expect(run.text).toContain('nvidia-smi: not found');
    expect(run.text).toContain('OK: CPU stack up');
    const calls = run.calls();
    expect(calls).toMatch(/docker-compose\.gpu\.yml down/);
    const ups = calls.split('\n').filter((l) => l.includes(' up -d'));
    expect(ups).toHaveLength(2);
    expect(ups[0]).toContain('docker-compose.gpu.yml');
    expect(ups[1]).toMatch(/^docker compose --project-directory \S+ -f \S+\/docker-compose\.yml up -d/);
    expect(ups[1]).not.toContain('gpu');
  });

  it('starts the CPU stack on a host without a GPU, and says so when even that fails', () => {
    const cpu = reboot({ FAKE_NVIDIA: '0' });
    expect(cpu.status).toBe(0);
    expect(cpu.text).not.toContain('GPU');
    expect(cpu.text).toContain('OK: CPU stack up');
    const broken = reboot({ FAKE_NVIDIA: '0', FAKE_CPU_UP: '0' });
    expect(broken.status).toBe(1);
    expect(broken.text).toContain('no space left');
    expect(broken.text).toContain('FAIL: the CPU stack did not start');
  });

  it('waits for the docker daemon, bounded: ready after a few tries, or a clear failure', () => {
    const late = reboot({ FAKE_DOCKER_READY_AFTER: '3', DOCKER_POLL_S: '0.05', FAKE_NVIDIA: '0' });
    expect(late.status).toBe(0);
    expect(readFileSync(join(late.fake.state, 'info'), 'utf8').trim()).toBe('4');
    expect(late.text).toMatch(/docker daemon ready after \d+s/);
    const never = reboot({ FAKE_DOCKER_READY_AFTER: '1000000', DOCKER_WAIT_S: '1', DOCKER_POLL_S: '0.1' });
    expect(never.status).toBe(1);
    expect(never.text).toContain('FAIL: the docker daemon did not answer within 1s');
    expect(never.calls()).not.toContain('compose');
  });

  it('leaves at once while another run holds the lock', async () => {
    const fake = fakeOps();
    const holder = spawn('flock', [
      join(fake.home, 'mjolnir-cron-reboot.lock'),
      '-c',
      'echo held; exec sleep 60',
    ]);
    let said = '';
    holder.stdout.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    try {
      await waitFor(() => said.includes('held'), 'the lock held');
      const run = spawnSync('/bin/bash', [join(ROOT, 'ops/cron_reboot.sh')], {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: fake.home,
          MJOLNIR_OPS_PATH: fake.bin,
          MJOLNIR_LOCK_DIR: fake.home,
        },
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(readFileSync(join(fake.home, 'trade_reboot.log'), 'utf8')).toMatch(
        /Z another cron_reboot\.sh is running \(lock held\): leaving it to finish\n$/,
      );
      expect(existsSync(join(fake.state, 'calls'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

type Verdict = 'OK' | 'WARN' | 'FAIL';
/** What `mjolnir health --line` prints for one stream with these checks (the library's own line). */
const report = (status: Verdict, ...checks: { name: string; status: Verdict; figure: string }[]) =>
  healthLine({
    status,
    mode: 'operator',
    now: 1,
    clock: 'exchange',
    streams: [
      {
        stream: 'sim BTC/USDT 5m',
        status,
        now: 1,
        clock: 'exchange',
        rate: 1,
        checks: checks.map((c) => ({ ...c, cause: 'x' })),
      },
    ],
  } as HealthReport);
const check = (name: string, status: Verdict, figure: string) => ({ name, status, figure });

describe('cron_heartbeat.sh', () => {
  const heartbeat = (env: Record<string, string>) => {
    const run = script('cron_heartbeat.sh', { HEARTBEAT_URL: 'https://hc.example/abc', ...env });
    return {
      ...run,
      text: run.log('trade_heartbeat.log'),
      pings: run
        .calls()
        .split('\n')
        .filter((l) => l.startsWith('curl')),
    };
  };

  it('OK: one line, a ping, exit 0', () => {
    const run = heartbeat({ FAKE_HEALTH: report('OK', check('decisions', 'OK', 'last 12:00Z')) });
    expect(run.status).toBe(0);
    expect(run.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ OK sim BTC\/USDT 5m\n$/);
    expect(run.pings).toEqual(['curl -fsS -m 10 --retry 3 -o /dev/null https://hc.example/abc']);
  });

  it('WARN: names the check, still pings alive, exit 0', () => {
    const run = heartbeat({
      FAKE_HEALTH: report(
        'WARN',
        check('decisions', 'OK', 'x'),
        check('kill switch', 'WARN', 'present since 11:00Z'),
      ),
      FAKE_HEALTH_CODE: '0',
    });
    expect(run.status).toBe(0);
    expect(run.text).toMatch(/Z WARN sim BTC\/USDT 5m: kill switch present since 11:00Z\n$/);
    expect(run.pings).toEqual(['curl -fsS -m 10 --retry 3 -o /dev/null https://hc.example/abc']);
  });

  it('FAIL: pings /fail, exit 1; no report at all is a FAIL too', () => {
    const run = heartbeat({
      FAKE_HEALTH: report('FAIL', check('decisions', 'FAIL', 'behind 20 bars')),
      FAKE_HEALTH_CODE: '2',
    });
    expect(run.status).toBe(1);
    expect(run.text).toMatch(/Z FAIL sim BTC\/USDT 5m: decisions behind 20 bars\n$/);
    expect(run.pings).toEqual(['curl -fsS -m 10 --retry 3 -o /dev/null https://hc.example/abc/fail']);
    const silent = heartbeat({ FAKE_HEALTH_CODE: '1' });
    expect(silent.status).toBe(1);
    expect(silent.text).toMatch(/Z FAIL no health report \(exit 1\): is the paper container running\?/);
    expect(silent.pings[0]).toMatch(/\/abc\/fail$/);
  });

  it('logs a failed ping without the URL, and pings nothing without HEARTBEAT_URL', () => {
    const failed = heartbeat({ FAKE_HEALTH: report('OK'), FAKE_CURL_CODE: '22' });
    expect(failed.status).toBe(0);
    expect(failed.text).toContain('WARN: the heartbeat ping failed');
    expect(failed.text).not.toContain('hc.example');
    const quiet = script('cron_heartbeat.sh', { FAKE_HEALTH: report('OK') });
    expect(quiet.calls()).not.toContain('curl');
  });

  it('rotates its log by size: the full one becomes .1, .1 becomes .2', () => {
    const fake = fakeOps();
    const log = join(fake.home, 'trade_heartbeat.log');
    writeFileSync(log, 'x'.repeat(2000));
    writeFileSync(`${log}.1`, 'older');
    const run = spawnSync('/bin/bash', [join(ROOT, 'ops/cron_heartbeat.sh')], {
      env: {
        PATH: '/usr/bin:/bin',
        HOME: fake.home,
        MJOLNIR_OPS_PATH: fake.bin,
        MAX_LOG_BYTES: '1000',
        FAKE_HEALTH: report('OK'),
      },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(readFileSync(`${log}.1`, 'utf8')).toBe('x'.repeat(2000));
    expect(readFileSync(`${log}.2`, 'utf8')).toBe('older');
    expect(readFileSync(log, 'utf8').split('\n')).toHaveLength(2);
  });
});

describe('crontab.example and deploy.sh', () => {
  it('the crontab lines are cron-safe: bash named, no %, the scripts by absolute path', () => {
    const lines = readFileSync(join(ROOT, 'ops/crontab.example'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain('%');
      expect(line).toMatch(/ \/bin\/bash \/\S+\/ops\/cron_(reboot|heartbeat)\.sh$/);
    }
  });

  it('deploy.sh is a dry run by default and never syncs .env, data/, node_modules/ or models/', () => {
    const fake = fakeOps();
    writeFileSync(
      join(fake.bin, 'rsync'),
      `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "${fake.state}/rsync"\n`,
    );
    spawnSync('chmod', ['+x', join(fake.bin, 'rsync')]);
    const run = spawnSync(
      '/bin/bash',
      [join(ROOT, 'ops/deploy.sh'), 'op@box:~/Projects/trade', '--port', '2222'],
      {
        env: { PATH: `${fake.bin}:/usr/bin:/bin` },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('dry run');
    const args = readFileSync(join(fake.state, 'rsync'), 'utf8').split('\n');
    expect(args[0]).toBe('--dry-run');
    for (const excluded of ['.git/', '.env', 'data/', 'node_modules/', 'models/'])
      expect(args).toContain(`--exclude=${excluded}`);
    expect(args).toContain('ssh -p 2222');
    expect(args).not.toContain('--delete');
    expect(args.at(-2)).toBe('op@box:~/Projects/trade/');
    const usage = spawnSync('/bin/bash', [join(ROOT, 'ops/deploy.sh')], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: ops/deploy.sh user@host:path');
  });

  it('deploy.sh --apply builds and recreates what changed, paper included, then waits for its healthcheck', () => {
    const fake = fakeOps();
    const tool = (name: string, body: string) => {
      writeFileSync(
        join(fake.bin, name),
        `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "${fake.state}/${name}"\n${body}\n`,
      );
      spawnSync('chmod', ['+x', join(fake.bin, name)]);
    };
    tool('rsync', 'exit 0');
    // The target's paper turns healthy at the second look.
    tool(
      'ssh',
      `case "$*" in *inspect*) n=$(($(cat "${fake.state}/n" 2>/dev/null || echo 0) + 1)); echo $n > "${fake.state}/n"; [ $n -ge 2 ] && echo healthy || echo starting ;; esac`,
    );
    const deploy = (env: Record<string, string>) =>
      spawnSync('/bin/bash', [join(ROOT, 'ops/deploy.sh'), 'op@box:~/trade', '--apply'], {
        env: { PATH: `${fake.bin}:/usr/bin:/bin`, DEPLOY_POLL_S: '0.05', ...env },
        encoding: 'utf8',
      });
    const run = deploy({});
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('paper is healthy on op@box');
    const ssh = readFileSync(join(fake.state, 'ssh'), 'utf8');
    expect(ssh).toContain('docker compose up -d --build --remove-orphans');
    expect(ssh).not.toContain('force-recreate trade');
    expect(ssh).toMatch(/docker inspect -f .*\$\(docker compose ps -q paper\)/);
    // A paper that never turns healthy: exit 1, saying so.
    tool('ssh', 'case "$*" in *inspect*) echo starting ;; esac');
    const stuck = deploy({ DEPLOY_WAIT_S: '1' });
    expect(stuck.status).toBe(1);
    expect(stuck.stderr).toContain('paper did not turn healthy within 1s');
  });
});

describe('the ops scripts under a docker that hangs, a read-only HOME, and shellcheck', () => {
  it('cron_reboot.sh: a hung compose up is cut at DOCKER_TIMEOUT_S, logged, exit 1; a hung daemon probe likewise', () => {
    const run = reboot({ FAKE_DOCKER_HANG: ' up ', DOCKER_TIMEOUT_S: '1', FAKE_NVIDIA: '0' });
    expect(run.status).toBe(1);
    expect(run.text).toMatch(/TIMEOUT: '\S*docker compose .* up -d .*' did not finish within 1s/);
    expect(run.text).toContain('FAIL: the CPU stack did not start');
    const hung = reboot({
      FAKE_DOCKER_HANG: 'info',
      DOCKER_PROBE_S: '1',
      DOCKER_WAIT_S: '1',
      DOCKER_POLL_S: '0.05',
    });
    expect(hung.status).toBe(1);
    expect(hung.text).toContain('TIMEOUT');
    expect(hung.text).toContain('the docker daemon did not answer within 1s');
  });

  it('cron_heartbeat.sh: a hung exec is bounded (FAIL, exit 1); a second heartbeat while one runs leaves at once', async () => {
    const hung = script('cron_heartbeat.sh', { FAKE_DOCKER_HANG: 'exec', DOCKER_TIMEOUT_S: '1' });
    expect(hung.status).toBe(1);
    const text = hung.log('trade_heartbeat.log');
    expect(text).toContain('TIMEOUT');
    expect(text).toContain('FAIL no health report');
    const locks = fakeOps().home;
    const holder = spawn('flock', [join(locks, 'mjolnir-cron-heartbeat.lock'), '-c', 'echo held; sleep 30']);
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const second = script('cron_heartbeat.sh', { MJOLNIR_LOCK_DIR: locks });
      expect(second.status).toBe(1);
      expect(second.log('trade_heartbeat.log')).toContain('still running (lock held)');
      expect(second.calls()).toBe('');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('keeps every log line when the log cannot be written (a read-only HOME): the temporary directory, said on stderr', () => {
    const tmp = fakeOps().home;
    const run = reboot({ TRADE_REBOOT_LOG: '/proc/mjolnir/trade_reboot.log', TMPDIR: tmp, FAKE_NVIDIA: '0' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`logging to ${tmp}/trade_reboot.log`);
    const kept = readFileSync(join(tmp, 'trade_reboot.log'), 'utf8');
    expect(kept).toContain('OK: CPU stack up');
  });

  it('shellcheck finds nothing in the shell scripts', () => {
    const files = [
      'ops/common.sh',
      'ops/cron_reboot.sh',
      'ops/cron_heartbeat.sh',
      'ops/deploy.sh',
      'scripts/ensure-apt.sh',
      'scripts/make-env.sh',
      'scripts/workers.sh',
      'kernel/lab.sh',
    ];
    const run = spawnSync('shellcheck', ['-x', '-P', 'SCRIPTDIR', ...files], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
