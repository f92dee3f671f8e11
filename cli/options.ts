import { InvalidArgumentError } from 'commander';

/** Parses a non-negative integer option (underscores allowed: 1_000_000). */
export function intOption(value: string): number {
  const parsed = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}
