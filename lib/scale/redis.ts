import { Redis, type RedisOptions } from 'ioredis';
import { MjolnirError } from '../core/index.js';

/** Where a queue lives: the connection options and the URL as it may be shown (no password). */
export interface QueueAddress {
  readonly shown: string;
  readonly options: RedisOptions;
}

/** The oldest Redis BullMQ runs on. */
export const MIN_REDIS_VERSION = '6.2.0';

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` (`rediss://` for TLS). BullMQ needs
 * `maxRetriesPerRequest: null`: a command waits out a Redis restart instead of failing.
 */
export function queueAddress(url: string): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The parser's own message repeats the URL, password and all: it is not kept.
    throw new MjolnirError('input_invalid', `--queue ${redactUrl(url)}: expected redis://host:port/db`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new MjolnirError('input_invalid', `--queue ${redactUrl(url)}: expected redis://host:port/db`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db))
    throw new MjolnirError('input_invalid', `--queue ${redactUrl(url)}: the database is a number (/0)`);
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
    maxRetriesPerRequest: null,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { shown: redactUrl(url), options };
}

/** A Redis URL with its password replaced by `***`: what logs and errors may say. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** What the check found of a reachable, well-configured Redis. */
export interface RedisFacts {
  readonly version: string;
  readonly maxmemoryPolicy: string;
}

function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

const versionParts = (version: string) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);

/** True when dotted version `a` is older than `b`. */
export function olderThan(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/** The one line an unreachable or misconfigured queue is reported with, or null when it is usable. */
export function redisProblem(shown: string, facts: RedisFacts): string | null {
  if (olderThan(facts.version, MIN_REDIS_VERSION))
    return `redis at ${shown} is ${facts.version}; the queue needs ${MIN_REDIS_VERSION} or later`;
  if (facts.maxmemoryPolicy !== 'noeviction')
    return `redis at ${shown} has maxmemory-policy ${facts.maxmemoryPolicy}: it may evict queued jobs; set maxmemory-policy noeviction (redis.conf or CONFIG SET)`;
  return null;
}

/**
 * Connects once, without retrying, and reads the version and eviction policy: one clear line when
 * Redis is unreachable, refuses a password, or may evict jobs. The connection is closed again.
 */
export async function checkRedis(address: QueueAddress, timeoutMs = 5_000): Promise<RedisFacts> {
  const client = new Redis({
    ...address.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // connect() rejects with "Connection is closed"; the cause (ECONNREFUSED, a DNS failure) comes as an event.
  let cause: Error | null = null;
  client.on('error', (error: Error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    const info = await client.info();
    const facts = {
      version: infoField(info, 'redis_version') ?? infoField(info, 'valkey_version') ?? '0',
      maxmemoryPolicy: infoField(info, 'maxmemory_policy') ?? 'unknown',
    };
    const problem = redisProblem(address.shown, facts);
    if (problem !== null) throw new MjolnirError('config_invalid', problem);
    return facts;
  } catch (error) {
    if (error instanceof MjolnirError) throw error;
    const first = cause ?? error;
    const reason = first instanceof Error ? first.message : String(first);
    throw new MjolnirError('queue_unavailable', `redis at ${address.shown} is unreachable: ${reason}`, {
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}
