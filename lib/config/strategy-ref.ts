import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { err, MjolnirError, ok, type Result } from '../core/index.js';
import { builtinStrategy, type StrategyDefinition, strategyFromFile } from '../strategy/index.js';
import type { StrategyRef } from './schema.js';

/** Where a problem is and what was expected there. */
export type StrategyProblem = { readonly path: readonly PropertyKey[]; readonly expected: string };

/**
 * Resolves a parsed `strategy` entry: a file is taken relative to the config's directory, loaded, and
 * its parameters checked against its own schema; the result names the file absolutely (sweep workers
 * load it again) and carries the id the file defines.
 */
export function resolveStrategyRef(
  parsed: { id?: string | undefined; file?: string | undefined; params: Record<string, number | boolean> },
  configFile: string,
  describe: (issue: z.core.$ZodIssue) => string,
): Result<StrategyRef, StrategyProblem[]> {
  if (parsed.file === undefined) return ok({ id: parsed.id!, params: parsed.params });
  const file = resolve(dirname(configFile), parsed.file);
  let definition: StrategyDefinition;
  try {
    definition = strategyFromFile(file, parsed.id);
  } catch (error) {
    if (!(error instanceof MjolnirError)) throw error;
    return err([{ path: ['strategy', 'file'], expected: `a file exporting a strategy (${error.message})` }]);
  }
  const checked = definition.params.safeParse(parsed.params);
  if (!checked.success)
    return err(
      checked.error.issues.map((issue) => ({
        path: ['strategy', 'params', ...issue.path],
        expected: `${describe(issue)} (strategy ${definition.id} of ${file})`,
      })),
    );
  return ok({ id: definition.id, file, params: parsed.params });
}

/** The definition a resolved config names: its file's, or the built-in. */
export function definitionOf(ref: StrategyRef): StrategyDefinition {
  return ref.file === undefined ? builtinStrategy(ref.id) : strategyFromFile(ref.file, ref.id);
}
