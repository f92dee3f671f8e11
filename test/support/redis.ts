/**
 * A real Redis (Debian's redis-server) for the queue's tests: on a free loopback port, its data in a
 * folder of the test's (append-only, fsync on every write, so a restart loses nothing), the eviction
 * policy BullMQ needs. Waited for by its log line, never by a sleep.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './processes.js';

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** redis-cli against it: its stdout trimmed. */
  cli(...args: string[]): string;
  /** Shuts it down (saving nothing more: every write is on disk) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'mjolnir-redis-'));
  const port = await freePort();
  const log = join(dir, 'redis.log');
  let child: ChildProcess | null = null as ChildProcess | null;
  let starts = 0;
  const launch = async () => {
    starts++;
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--logfile',
        log,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const n = starts;
    const started = child;
    const ready = () =>
      existsSync(log) && (readFileSync(log, 'utf8').match(/Ready to accept connections/g) ?? []).length >= n;
    await waitFor(() => started.exitCode !== null || ready(), `redis-server ready on ${port}`);
    if (started.exitCode !== null)
      throw new Error(
        `redis-server exited (${started.exitCode}):\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`,
      );
  };
  const stop = async () => {
    if (child === null) return;
    const exiting = exitOf(child);
    child.kill('SIGTERM');
    await exiting;
    child = null;
  };
  await launch();
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    cli: (...args) =>
      spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim(),
    restart: async () => {
      await stop();
      await launch();
    },
    stop,
  };
}
