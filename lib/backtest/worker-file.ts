import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker script `name` of this folder: beside this module in lib/dist, or there when
 * this module runs from its TypeScript source (the test runner); worker threads need JavaScript.
 */
export function workerScript(name: string): URL {
  const beside = new URL(`./${name}.js`, import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : new URL(`../dist/backtest/${name}.js`, import.meta.url);
}
