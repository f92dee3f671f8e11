/**
 * The library's areas meet at their index and depend downward only (docs/architecture.md):
 * every import of another area names its `index.js`, and only areas of a lower layer are imported
 * (tests beside the code may look sideways, at an index). The store knows market and time, not
 * config: loading the lake must not load every strategy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = dirname(fileURLToPath(import.meta.url));

/** The layers, bottom up, as docs/architecture.md's table between its `layers` markers says them. */
function layerTable(): Readonly<Record<string, number>> {
  const doc = readFileSync(join(LIB, '..', 'docs', 'architecture.md'), 'utf8');
  const table = /<!-- layers -->\n([\s\S]*?)<!-- \/layers -->/.exec(doc)?.[1] ?? '';
  const layers: Record<string, number> = {};
  for (const [, layer, areas] of table.matchAll(/^\| (\d+) \| ([a-z, ]+) \|/gm))
    for (const area of areas!.split(',')) layers[area.trim()] = Number(layer);
  return layers;
}

const LAYER = layerTable();

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

  it('finds the imports it checks, and a layer in docs/architecture.md for every area of lib/', () => {
    expect(imports.length).toBeGreaterThan(200);
    expect(Object.keys(LAYER)).toEqual(expect.arrayContaining(imports.map((i) => i.from)));
    const areas = readdirSync(LIB, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'dist' && e.name !== 'node_modules')
      .map((e) => e.name);
    expect(Object.keys(LAYER).sort()).toEqual(areas.sort());
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
