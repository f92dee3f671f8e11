import { MjolnirError } from '../core/index.js';

/** How to retry transient failures. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** A sensible default for exchange calls: 5 attempts, 0.5 s doubling up to 30 s. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** How long to wait before retry number `retry` (1-based): exponential, capped, with ±25% jitter. */
export function backoffDelay(policy: RetryPolicy, retry: number, code: string, random: () => number): number {
  // A rate limit asks us to slow down more than a blip does.
  const base = policy.baseDelayMs * (code === 'rate_limited' ? 4 : 1);
  const delay = Math.min(policy.maxDelayMs, base * 2 ** (retry - 1));
  return Math.round(delay * (0.75 + random() * 0.5));
}

/** What `withRetry` needs from its host. */
export interface RetryEnvironment {
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (error: MjolnirError, retry: number, delayMs: number) => void;
}

/**
 * Runs `operation`, retrying only errors of the `retryable` category, with backoff. Anything else
 * (operator errors, bugs) is thrown at once; the last retryable error is thrown when attempts run out.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  env: RetryEnvironment,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof MjolnirError) || error.category !== 'retryable' || attempt >= policy.attempts)
        throw error;
      const delay = backoffDelay(policy, attempt, error.code, env.random ?? Math.random);
      env.onRetry?.(error, attempt, delay);
      await env.sleep(delay);
    }
  }
}
