/**
 * What a host pays to start: a fresh process importing the package root (`@mjolnir/lib`, the pure
 * core) against one importing the engine's own file alone (the floor of anything that decides), and
 * each heavy subpath for reference. Time to import and heap after, medians of fresh processes,
 * alternating (this machine's speed drifts). Target: the root within 1.5x of the engine alone.
 *
 *   make bench-import            (IMPORT_ROUNDS=9)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env['IMPORT_ROUNDS'] ?? 9);
const TARGET = 1.5;
const engineFile = fileURLToPath(new URL('../../lib/dist/engine/engine.js', import.meta.url));

/** One fresh process importing `specifier`: milliseconds to import, and the heap used after (MB). */
function importOnce(specifier: string): { ms: number; heapMb: number } {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)});
const ms = performance.now() - t; globalThis.gc?.();
process.stdout.write(JSON.stringify({ ms, heapMb: process.memoryUsage().heapUsed / 1048576 }));`;
  const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`importing ${specifier} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { ms: number; heapMb: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const subjects: Record<string, string> = {
  'the engine file alone': engineFile,
  '@mjolnir/lib (root)': '@mjolnir/lib',
  '@mjolnir/lib/store (DuckDB)': '@mjolnir/lib/store',
  '@mjolnir/lib/exchange (ccxt)': '@mjolnir/lib/exchange',
};
const samples = new Map(
  Object.keys(subjects).map((label) => [label, [] as { ms: number; heapMb: number }[]]),
);
for (let round = 0; round < ROUNDS; round++)
  for (const [label, specifier] of Object.entries(subjects)) samples.get(label)!.push(importOnce(specifier));

const figure = (label: string) => ({
  ms: median(samples.get(label)!.map((s) => s.ms)),
  heapMb: median(samples.get(label)!.map((s) => s.heapMb)),
});
const engine = figure('the engine file alone');
const root = figure('@mjolnir/lib (root)');
const lines = [`import cost: fresh processes, median of ${ROUNDS}, node ${process.version}`];
for (const label of Object.keys(subjects)) {
  const f = figure(label);
  lines.push(
    `  ${label.padEnd(30)} ${f.ms.toFixed(0).padStart(5)} ms  heap ${f.heapMb.toFixed(1).padStart(6)} MB`,
  );
}
const ratio = root.ms / engine.ms;
lines.push(
  `  root / engine alone: ${ratio.toFixed(2)}x the time, ${(root.heapMb / engine.heapMb).toFixed(2)}x the heap  target <= ${TARGET}x: ${ratio <= TARGET ? 'MET' : 'MISSED'}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
