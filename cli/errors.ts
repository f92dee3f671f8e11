import { describeSystemError, MjolnirError, systemErrorCode } from '@mjolnir/lib';
import type { TextOutput } from './io.js';

/** Exit codes shared by every command (docs/contracts.md: 2 = bad usage or missing input). */
export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 3 } as const;

/** Where a system error happened, from what Node attaches to it (path, address, port). */
function placeOf(error: NodeJS.ErrnoException & { dest?: string; address?: string; port?: number }): string {
  if (error.path !== undefined) return `${error.path}${error.dest ? ` -> ${error.dest}` : ''}`;
  if (error.address !== undefined)
    return `${error.address}${error.port === undefined ? '' : `:${error.port}`}`;
  return error.syscall ?? 'the system';
}

/**
 * Prints an error for the operator, one line, and returns the exit code it deserves. A system error
 * that reached here (a disk, a permission, a port) is the operator's to fix: named with its place,
 * exit 2, no stack trace. Only what is neither is a bug (exit 3, with the stack to report it).
 */
export function reportError(error: unknown, stderr: TextOutput): number {
  if (error instanceof MjolnirError) {
    stderr.write(`error [${error.code}]: ${error.message}\n`);
    if (error.category === 'operator') return EXIT.usage;
    if (error.category === 'invariant') return EXIT.bug;
    return EXIT.failed;
  }
  if (systemErrorCode(error) !== null) {
    stderr.write(
      `error [system]: ${placeOf(error as NodeJS.ErrnoException)}: ${describeSystemError(error)}\n`,
    );
    return EXIT.usage;
  }
  stderr.write(
    `unexpected error (a bug; please report it with this trace): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.bug;
}
