import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker script `name` of the area of the module at `from` (its import.meta.url):
 * beside it in lib/dist, or there when that module runs from its TypeScript source (the test
 * runner); worker threads need JavaScript.
 */
export function workerScript(name: string, from: string): URL {
  const beside = new URL(`./${name}.js`, from);
  if (existsSync(fileURLToPath(beside))) return beside;
  const area = basename(dirname(fileURLToPath(from)));
  return new URL(`../dist/${area}/${name}.js`, from);
}
