/**
 * Errors are grouped by what the operator does about them (docs/contracts.md: exit codes):
 * - `retryable`: transient (network, rate limit); the caller retries with backoff.
 * - `operator`: needs a human fix (bad config, permission, corrupt file); retrying will not help.
 * - `invariant`: a bug or broken invariant; fail fast, never paper over it.
 */
export type ErrorCategory = 'retryable' | 'operator' | 'invariant';

/** Every stable error code, with the category that tells the operator what to do. */
export const ERROR_CODES = {
  // Exchange and network: transient, retried with backoff.
  exchange_unavailable: 'retryable',
  rate_limited: 'retryable',
  timeout: 'retryable',
  bad_response: 'retryable',
  // Exchange: needs a human.
  bad_symbol: 'operator',
  auth_failed: 'operator',
  exchange_rejected: 'operator',
  clock_drift: 'operator',
  // Files and configuration.
  config_invalid: 'operator',
  config_unreadable: 'operator',
  input_invalid: 'operator',
  state_incompatible: 'operator',
  state_corrupt: 'operator',
  data_invalid: 'operator',
  storage_failed: 'operator',
  address_in_use: 'operator',
  lock_busy: 'retryable',
  // A work queue's Redis: unreachable is transient; misconfigured is config_invalid.
  queue_unavailable: 'retryable',
  invariant_violated: 'invariant',
  not_monotonic: 'invariant',
} as const satisfies Record<string, ErrorCategory>;

/** A stable machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The project's error: a stable code, its category, and a message written for the operator. */
export class MjolnirError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MjolnirError';
    this.code = code;
    this.category = ERROR_CODES[code];
  }
}

/** Throws an `invariant_violated` error when `condition` is false: for states that mean a bug. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new MjolnirError('invariant_violated', message);
}

/** True when `error` is a MjolnirError carrying `code`. */
export function hasErrorCode(error: unknown, code: ErrorCode): error is MjolnirError {
  return error instanceof MjolnirError && error.code === code;
}

/** True when `error` is a Node system error with one of `codes` (ENOENT, ...): the case a catch handles by name. */
export function isSystemError(error: unknown, ...codes: readonly string[]): boolean {
  const code = systemErrorCode(error);
  return code !== null && codes.includes(code);
}

/** What a Node system error (ENOSPC, EROFS, EACCES...) means, in words an operator reads. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  EBUSY: 'resource busy',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
};

/** The errno code of a Node system error (`ENOSPC`), else null. */
export function systemErrorCode(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

/** A system error in words, with its code: "no space left on device (ENOSPC)"; else the message. */
export function describeSystemError(error: unknown): string {
  const code = systemErrorCode(error);
  if (code !== null && SYSTEM_ERRORS[code] !== undefined) return `${SYSTEM_ERRORS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A failure to read or write a file as the operator's `storage_failed` error naming the path: storage
 * errors (disk full, read-only, permissions) are fixed by a human, not retried blindly. A MjolnirError
 * passes through unchanged.
 */
export function storageFailed(action: string, path: string, error: unknown): MjolnirError {
  if (error instanceof MjolnirError) return error;
  return new MjolnirError('storage_failed', `cannot ${action} ${path}: ${describeSystemError(error)}`, {
    cause: error,
  });
}
