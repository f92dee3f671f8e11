import { MjolnirError } from '@mjolnir/lib';

/** Exit codes shared by every command (CONTRACTS.md: 2 = bad usage or missing input). */
export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 3 } as const;

/** Prints an error for the operator and returns the exit code it deserves. */
export function reportError(error: unknown): number {
  if (error instanceof MjolnirError) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    if (error.category === 'operator') return EXIT.usage;
    if (error.category === 'invariant') return EXIT.bug;
    return EXIT.failed;
  }
  process.stderr.write(
    `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.bug;
}
