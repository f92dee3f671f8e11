/**
 * The library's areas meet at their index (STYLE.md 5) and depend downward only (ARCHITECTURE.md):
 * every import of another area names its `index.js`, and only areas of a lower layer are imported
 * (tests beside the code may look sideways, at an index). The store knows market and time, not
 * config: loading the lake must not load every strategy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = dirname(fileURLToPath(import.meta.url));

/** ARCHITECTURE.md's layers, bottom up. */
const LAYER: Readonly<Record<string, number>> = {
  core: 0,
  time: 1,
  market: 2,
  features: 2,
  strategy: 3,
  risk: 3,
  metrics: 3,
  engine: 4,
  config: 5,
  journal: 6,
  store: 7,
  exchange: 7,
  sim: 7,
  health: 7,
  live: 8,
  backtest: 8,
  equivalence: 9,
  research: 9,
  train: 9,
  scale: 10,
};

/** Imports a layer allows but the design rules out. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = { store: ['config'] };

interface Import {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly target: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'dist' || entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import from one area into another. */
function crossImports(): Import[] {
  return sources(LIB).flatMap((path) => {
    const file = relative(LIB, path);
    const from = file.split('/')[0]!;
    if (!(from in LAYER)) return [];
    const text = readFileSync(path, 'utf8');
    return [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].flatMap((match) => {
      const target = relative(LIB, resolve(dirname(path), match[1]!));
      const to = target.split('/')[0]!;
      return to === from ? [] : [{ file, from, to, target }];
    });
  });
}

const isTest = (file: string) => /\.test\.ts$|\/test-support\//.test(file);

describe('the library layout', () => {
  const imports = crossImports();

  it('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(200);
    expect(Object.keys(LAYER)).toEqual(expect.arrayContaining(imports.map((i) => i.from)));
  });

  it("every area is entered through its index (a test may use another area's test-support)", () => {
    const inside = imports.filter(
      (i) =>
        !/^[a-z]+\/index\.js$/.test(i.target) &&
        !(isTest(i.file) && /^[a-z]+\/test-support\//.test(i.target)),
    );
    expect(inside.map((i) => `${i.file} -> ${i.target}`)).toEqual([]);
  });

  it('every area depends only on lower layers (and the store not on config)', () => {
    const upward = imports.filter(
      (i) =>
        !isTest(i.file) &&
        (!(i.to in LAYER) || LAYER[i.to]! >= LAYER[i.from]! || FORBIDDEN[i.from]?.includes(i.to)),
    );
    expect(
      upward.map((i) => `${i.file} -> ${i.target} (${i.from} ${LAYER[i.from]} -> ${i.to} ${LAYER[i.to]})`),
    ).toEqual([]);
  });
});
