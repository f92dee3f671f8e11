import { createRequire } from 'node:module';
import { extname, isAbsolute } from 'node:path';
import { describeSystemError, MjolnirError } from '../core/index.js';
import { isStrategyDefinition } from './define.js';
import type { StrategyDefinition } from './types.js';

const load = createRequire(import.meta.url);
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
const loaded = new Map<string, readonly StrategyDefinition[]>();

/** TypeScript files load through tsx's scoped require (no global hooks); JavaScript through require(). */
function requireFile(path: string): unknown {
  if (!TYPESCRIPT.has(extname(path))) return load(path);
  let tsx: { require: (id: string, from: string) => unknown };
  try {
    tsx = load('tsx/cjs/api') as typeof tsx;
  } catch (error) {
    throw new MjolnirError(
      'config_invalid',
      `strategy file ${path} is TypeScript, which needs the tsx package (npm install tsx) or a compiled .js file`,
      { cause: error },
    );
  }
  return tsx.require(path, import.meta.url);
}

function definitionsIn(exports: unknown): StrategyDefinition[] {
  if (isStrategyDefinition(exports)) return [exports];
  if (typeof exports !== 'object' || exports === null) return [];
  const found = new Set<StrategyDefinition>();
  for (const value of Object.values(exports)) if (isStrategyDefinition(value)) found.add(value);
  return [...found];
}

/** Every strategy a file exports (made by defineStrategy), loaded once per process. */
export function strategiesInFile(path: string): readonly StrategyDefinition[] {
  if (!isAbsolute(path))
    throw new MjolnirError('invariant_violated', `strategy file path ${path} is not absolute`);
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;
  let exports: unknown;
  try {
    exports = requireFile(path);
  } catch (error) {
    if (error instanceof MjolnirError && error.code === 'config_invalid') throw error;
    // The first line says it: a missing file, a syntax error, a bad definition (not the whole stack).
    const why = describeSystemError(error).split('\n')[0];
    throw new MjolnirError('config_invalid', `cannot load strategy file ${path}: ${why}`, { cause: error });
  }
  const definitions = definitionsIn(exports);
  loaded.set(path, definitions);
  return definitions;
}

/**
 * The strategy a config's `strategy.file` names: the one the file exports, or the one with `id` when it
 * exports several. Problems are `config_invalid` errors naming the file.
 */
export function strategyFromFile(path: string, id?: string): StrategyDefinition {
  const definitions = strategiesInFile(path);
  const ids = definitions.map((d) => d.id);
  if (definitions.length === 0)
    throw new MjolnirError(
      'config_invalid',
      `strategy file ${path} exports no strategy: export one made with defineStrategy from @mjolnir/lib`,
    );
  if (id !== undefined) {
    const chosen = definitions.find((d) => d.id === id);
    if (chosen === undefined)
      throw new MjolnirError(
        'config_invalid',
        `strategy file ${path} has no strategy "${id}" (it has ${ids.join(', ')})`,
      );
    return chosen;
  }
  if (definitions.length > 1)
    throw new MjolnirError(
      'config_invalid',
      `strategy file ${path} exports ${ids.length} strategies (${ids.join(', ')}): name one with strategy.id`,
    );
  return definitions[0]!;
}
