/**
 * The package as its hosts load it (the built `lib/dist`, by name): the root is the cheap pure core,
 * the heavy areas are subpaths, everything loads through CommonJS `require()` (as the tslab kernel
 * loads every import), and TypeScript's node10 resolution (tslab's TypeScript 5.0) sees the subpaths.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/processes.js';

const HEAVY = /node_modules\/(ccxt|@duckdb|danfojs|danfojs-node|@tensorflow)\//;
const SUBPATHS = ['store', 'exchange', 'sim', 'live', 'backtest', 'equivalence', 'research', 'train'];

function node(args: string[]) {
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, '')).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

/** Every module a fresh process loads for `specifier`: ESM (through a resolve hook) and CommonJS. */
function modulesLoadedBy(specifier: string): string[] {
  const hook = `let port; export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { const r = await next(specifier, context); port.postMessage(r.url); return r; }`;
  const script = `
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (url) => seen.push(url));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { port: port2 }, transferList: [port2] });
await import(${JSON.stringify(specifier)});
await new Promise((resolve) => setTimeout(resolve, 200));
port1.close();
process.stdout.write(JSON.stringify([...seen, ...Object.keys(createRequire(import.meta.url).cache)]));`;
  return JSON.parse(node(['--input-type=module', '-e', script])) as string[];
}

describe('@mjolnir/lib as a package', () => {
  it('importing the root loads no module of ccxt, DuckDB, danfo or TensorFlow.js; the subpaths do', () => {
    const root = modulesLoadedBy('@mjolnir/lib');
    expect(root.filter((url) => url.includes('/lib/dist/')).length).toBeGreaterThan(50);
    expect(root.filter((url) => HEAVY.test(url))).toEqual([]);
    expect(modulesLoadedBy('@mjolnir/lib/store').some((url) => /@duckdb/.test(url))).toBe(true);
    expect(modulesLoadedBy('@mjolnir/lib/exchange').some((url) => /ccxt/.test(url))).toBe(true);
  });

  it('the mjolnir command starts without them: each command loads its heavy areas when it runs', () => {
    const cli = modulesLoadedBy(new URL('../dist/cli/program.js', import.meta.url).href);
    expect(cli.filter((url) => url.includes('/dist/cli/commands/')).length).toBeGreaterThan(10);
    expect(
      cli.filter((url) => HEAVY.test(url) || /node_modules\/(prom-client|ink|react)\//.test(url)),
    ).toEqual([]);
  });

  it('loads through CommonJS require(), root and every subpath (no top-level await in the graph)', () => {
    const script = `
const lib = require('@mjolnir/lib');
const out = { root: typeof lib.createEngine };
for (const s of ${JSON.stringify(SUBPATHS)}) out[s] = Object.keys(require('@mjolnir/lib/' + s)).length;
process.stdout.write(JSON.stringify(out));`;
    const loaded = JSON.parse(node(['-e', script])) as Record<string, unknown>;
    expect(loaded['root']).toBe('function');
    for (const subpath of SUBPATHS) expect(loaded[subpath]).toBeGreaterThan(0);
  });

  it("TypeScript's node10 resolution (tslab's) finds the root's and the subpaths' types", () => {
    // Inside the project, as a notebook is: node10 resolution walks up to its node_modules.
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'tmp', 'node10-'));
    const file = join(dir, 'cell.ts');
    writeFileSync(
      file,
      `import { createEngine, type EngineSpec } from '@mjolnir/lib';
import { Lake } from '@mjolnir/lib/store';
import { runBacktest } from '@mjolnir/lib/backtest';
export const used: [typeof createEngine, typeof Lake, typeof runBacktest] = [createEngine, Lake, runBacktest];
export type Spec = EngineSpec;
`,
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    node([
      tsc,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node10',
      '--target',
      'es2022',
      '--types',
      'node',
      file,
    ]);
    rmSync(dir, { recursive: true });
  });
});
