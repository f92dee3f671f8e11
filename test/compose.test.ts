/**
 * The compose files and images, validated without an engine: `docker-compose config` (Debian's
 * docker-compose 1.29, installed by scripts/ensure-apt.sh) for the CPU file and the GPU override,
 * and the invariants the operator relies on, read from the resolved configuration and the files.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './support/processes.js';

const HOST = { MJOLNIR_UID: '1000', MJOLNIR_GID: '1000', JUPYTER_TOKEN: 'tok' };

function config(files: string[], env: Record<string, string> = HOST) {
  const run = spawnSync('docker-compose', [...files.flatMap((f) => ['-f', f]), 'config'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH']!, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stderr: run.stderr, resolved: run.status === 0 ? parse(run.stdout) : null };
}

interface Service {
  user: string;
  init: boolean;
  restart: string;
  healthcheck: { test: string[] };
  ports?: string[];
  environment: Record<string, string>;
  deploy?: { resources: { reservations: { devices: { capabilities: string[] }[] } } };
}

describe('docker compose', () => {
  it('validates: the CPU stack and the GPU override', () => {
    for (const files of [['docker-compose.yml'], ['docker-compose.yml', 'docker-compose.gpu.yml']]) {
      const run = config(files);
      expect(run.status, run.stderr).toBe(0);
      expect(Object.keys(run.resolved.services).sort()).toEqual(['paper', 'redis', 'trade', 'worker']);
    }
  });

  it('keeps the work queue in its own profile: Redis on 127.0.0.1 with a volume and noeviction, N workers', () => {
    const services = config(['docker-compose.yml'], { ...HOST, WORKERS: '5' }).resolved.services as Record<
      string,
      Service & { profiles?: string[]; command: string[]; volumes: unknown[]; deploy: { replicas: number } }
    >;
    expect(services['paper']!.profiles).toBeUndefined();
    expect(services['trade']!.profiles).toBeUndefined();
    const redis = services['redis']!;
    expect(redis.profiles).toEqual(['workers']);
    expect(redis.ports).toEqual(['127.0.0.1:6379:6379/tcp']);
    expect(redis.command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.command.join(' ')).toContain('--appendonly yes');
    expect(JSON.stringify(redis.volumes)).toContain('redis-data');
    const worker = services['worker']!;
    expect(worker.profiles).toEqual(['workers']);
    expect(worker.user).toBe('1000:1000');
    expect(worker.command.join(' ')).toContain('worker --queue redis://redis:6379/0');
    expect(worker.deploy.replicas).toBe(5);
    expect(worker.healthcheck.test.join(' ')).toContain(':9470/livez');
  });

  it('refuses to resolve before make env, saying so', () => {
    const run = config(['docker-compose.yml'], {});
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('run make env first');
  });

  it("runs as the host's user, under init, restarting, health-checked; Jupyter on 127.0.0.1 unless told", () => {
    const services = config(['docker-compose.yml']).resolved.services as Record<string, Service>;
    for (const name of ['paper', 'trade']) {
      const s = services[name]!;
      expect(s.user).toBe('1000:1000');
      expect(s.init).toBe(true);
      expect(s.restart).toBe('unless-stopped');
      expect(s.healthcheck.test[0]).toBe('CMD');
      // docker's own log of a service is bounded (paper logs every decision).
      expect((s as unknown as { logging: unknown }).logging).toEqual({
        driver: 'json-file',
        options: { 'max-size': '10m', 'max-file': '5' },
      });
    }
    expect(services['paper']!.healthcheck.test.join(' ')).toContain('/livez');
    expect(services['trade']!.ports).toEqual(['127.0.0.1:8888:8888/tcp']);
    const exposed = config(['docker-compose.yml'], { ...HOST, JUPYTER_BIND_ADDR: '0.0.0.0' }).resolved
      .services;
    expect(exposed.trade.ports).toEqual(['0.0.0.0:8888:8888/tcp']);
    const raw = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, as written in the file
    expect(raw).toContain('"${JUPYTER_BIND_ADDR:-127.0.0.1}:8888:8888"');
  });

  it('gives both services the GPU in the override', () => {
    const services = config(['docker-compose.yml', 'docker-compose.gpu.yml']).resolved.services as Record<
      string,
      Service
    >;
    for (const name of ['paper', 'trade'])
      expect(services[name]!.deploy!.resources.reservations.devices[0]!.capabilities).toEqual(['gpu']);
  });

  it('holds no secret: keys and tokens only by name from the environment, never in a file or an image', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.gpu.yml']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, key, value] of text.matchAll(
        /^\s+([A-Z_]*(?:KEY|SECRET|TOKEN|PASSWORD)[A-Z_]*):\s*(.*)$/gm,
      ))
        expect(value, `${file}: ${key}`).toMatch(/^\$\{[A-Z_]+(:-|:\?[^}]*)?\}$/);
    }
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const path of ['.env', 'data', '.git']) expect(ignored).toContain(path);
  });

  it('runs the shard entrypoint as a Kubernetes Indexed Job over the plan in a ConfigMap', () => {
    const [job, claim] = readFileSync(join(ROOT, 'ops/k8s/sweep-job.yaml'), 'utf8')
      .split(/^---$/m)
      .map((doc) => parse(doc));
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const [container] = pod.containers;
    expect(container.command.slice(0, 5)).toEqual([
      'node',
      'dist/cli/main.js',
      'shard',
      '--plan',
      '/plan/plan.json',
    ]);
    expect(pod.volumes.find((v: { name: string }) => v.name === 'plan').configMap.name).toBe(
      parse(readFileSync(join(ROOT, 'ops/k8s/sweep-configmap.yaml'), 'utf8')).metadata.name,
    );
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    // Every option the Job passes is one `mjolnir shard` takes.
    const help = spawnSync(process.execPath, ['dist/cli/main.js', 'shard', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    for (const option of container.command.filter((arg: string) => arg.startsWith('--')))
      expect(help.stdout).toContain(option);
    expect(help.stdout).toContain('JOB_COMPLETION_INDEX');
  });

  it('builds images that run as a non-root user, on Debian slim (CPU) and CUDA 11.2 + cuDNN 8 (GPU)', () => {
    for (const file of ['docker/Dockerfile', 'docker/Dockerfile.gpu']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // Every final stage (paper, trade) ends as the unprivileged user.
      for (const stage of text
        .split(/^FROM /m)
        .filter((s) => / AS (paper|trade)\b/.test(s.split('\n')[0]!))) {
        const users = [...stage.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
        expect(users.at(-1), `${file}: ${stage.split('\n')[0]}`).toBe('node');
      }
    }
    expect(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8')).toMatch(
      /NODE_IMAGE=node:20\.\d+-bookworm-slim/,
    );
    const gpu = readFileSync(join(ROOT, 'docker/Dockerfile.gpu'), 'utf8');
    expect(gpu).toMatch(/CUDA_IMAGE=nvidia\/cuda:11\.2\.2-cudnn8-runtime/);
    expect(gpu).toContain('@tensorflow/tfjs-node-gpu@4.22.0');
  });
});
