import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputFile } from './output-file.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mjolnir-output-file-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Text of `lines` numbered lines, each long enough to fill blocks quickly. */
const line = (i: number) => `${String(i).padStart(8, '0')},${'x'.repeat(120)}\n`;

describe('OutputFile', () => {
  it('writes on the I/O threads and syncs in the background, and commits every byte in order', async () => {
    const path = join(root, 'runs', 'a', 'decisions.csv');
    const file = OutputFile.create(path, 1 << 20);
    let expected = '';
    const handed: Uint8Array[] = [];
    const returned: Uint8Array[] = [];
    for (let i = 0; i < 40_000; i++) {
      // Both ways in: text through the block buffer, and bytes formatted elsewhere handed over to the
      // I/O threads (in flight while more is appended after them), each given back once written.
      if (i % 1_000 === 0) {
        const bytes = new TextEncoder().encode(line(i + 1e7));
        handed.push(bytes);
        file.handOver(bytes, (written) => returned.push(written));
        expected += line(i + 1e7);
      }
      file.write(line(i));
      expected += line(i);
      // A host yields now and then (a backtest between replay pieces): finished syncs are noted.
      if (i % 5_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(existsSync(path)).toBe(false);
    await file.commit();
    expect(new Set(returned)).toEqual(new Set(handed));
    expect(returned).toHaveLength(handed.length);
    expect(file.backgroundSyncs).toBeGreaterThan(1);
    expect(readFileSync(path, 'latin1')).toBe(expected);
    expect(readdirSync(join(root, 'runs', 'a'))).toEqual(['decisions.csv']);
  });

  it('aborts with a write and a sync in flight and leaves no file behind', async () => {
    const path = join(root, 'trades.csv');
    const file = OutputFile.create(path, 1 << 16);
    for (let i = 0; i < 20_000; i++) file.write(line(i));
    file.handOver(new TextEncoder().encode(line(1)));
    expect(file.backgroundSyncs).toBeGreaterThan(0);
    await file.abort();
    expect(readdirSync(root)).toEqual([]);
  });

  it('never overwrites, and creates all files or none', async () => {
    const taken = join(root, 'manifest.json');
    writeFileSync(taken, '{}');
    expect(() => OutputFile.create(taken)).toThrow(/exists already/);
    await expect(OutputFile.createAll([join(root, 'decisions.csv'), taken])).rejects.toThrow(
      /exists already/,
    );
    expect(readdirSync(root)).toEqual(['manifest.json']);
    expect(readFileSync(taken, 'latin1')).toBe('{}');
  });
});
