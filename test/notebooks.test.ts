/**
 * The research kernel: the kernelspec points at the project's own tslab; every notebook under
 * notebooks/ runs headless on the real kernel (nbconvert --execute: the first failing cell fails it,
 * named, not a cascade of aborts); `make lab` serves Jupyter on 127.0.0.1 only, behind a token.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, exited, printed, ROOT, sleep, start } from './support/processes.js';

const jupyterDir = mkdtempSync(join(tmpdir(), 'mjolnir-jupyter-'));
const TSLAB = join(ROOT, 'kernel/node_modules/tslab/bin/tslab');
/** The system's Jupyter (a pyenv shim first on PATH may lack it). */
const JUPYTER = existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter';

/**
 * The kernelspec installed into a Jupyter data directory of this test's own (`edit` changes it, as a
 * kernelspec another checkout installed would differ).
 */
function installKernel(edit?: (spec: Record<string, unknown>) => void): string {
  execFileSync(process.execPath, [CLI, 'kernel', 'install', '--dir', jupyterDir]);
  const path = join(jupyterDir, 'kernels/mjolnir-ts/kernel.json');
  if (edit !== undefined) {
    const spec = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    edit(spec);
    writeFileSync(path, JSON.stringify(spec));
  }
  return path;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Output {
  readonly output_type: string;
  readonly name?: string;
  readonly text?: string | string[];
  readonly ename?: string;
  readonly evalue?: string;
  readonly data?: Record<string, string | string[]>;
}

/**
 * Runs a notebook on the kernel (nbconvert --execute, errors allowed so the notebook comes back) and
 * finds the first failing cell: tslab sends a cell's error as its stderr with an empty error reply,
 * and aborts the requests of the next 200 ms, so only the first failure means anything.
 */
function execute(
  path: string,
  editKernel?: (spec: Record<string, unknown>) => void,
): {
  status: number | null;
  failure: { index: number; source: string; error: string } | null;
  outputs: Output[];
} {
  installKernel(editKernel);
  const out = join(jupyterDir, `executed-${basename(path)}`);
  const run = spawnSync(
    JUPYTER,
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--allow-errors',
      path,
      '--output',
      out,
      '--ExecutePreprocessor.timeout=300',
    ],
    { cwd: dirname(path), env: { ...process.env, JUPYTER_PATH: jupyterDir }, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`nbconvert failed: ${run.stderr.slice(-3000)}`);
  const cells = (
    JSON.parse(readFileSync(out, 'utf8')) as {
      cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
    }
  ).cells;
  const text = (t: string | string[] | undefined) => [t ?? ''].flat().join('');
  const index = cells.findIndex((c) =>
    (c.outputs ?? []).some(
      (o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'),
    ),
  );
  const failure =
    index < 0
      ? null
      : {
          index,
          source: text(cells[index]!.source),
          error: (cells[index]!.outputs ?? [])
            .map((o) => (o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : text(o.text)))
            .join('\n'),
        };
  return { status: run.status, failure, outputs: cells.flatMap((c) => c.outputs ?? []) };
}

/** A notebook of code cells on the mjolnir-ts kernel, without outputs. */
function notebookOf(sources: readonly string[]) {
  return {
    cells: sources.map((source, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
    metadata: {
      kernelspec: { name: 'mjolnir-ts', display_name: 'TypeScript (Mjölnir, tslab)', language: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** Addresses listening on `port` (IPv4), from /proc/net/tcp: what the socket is bound to. */
function listeners(port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')
    .map((f) => {
      const ip = f[1]!.split(':')[0]!;
      return [3, 2, 1, 0].map((i) => Number.parseInt(ip.slice(i * 2, i * 2 + 2), 16)).join('.');
    });
}

describe('the research kernel', () => {
  it('has a kernelspec whose argv runs this Node on the project tslab, naming its checkout', () => {
    const spec = JSON.parse(readFileSync(installKernel(), 'utf8')) as {
      argv: string[];
      language: string;
      display_name: string;
      env: Record<string, string>;
    };
    expect(spec.argv).toEqual([process.execPath, TSLAB, 'kernel', '--config-path', '{connection_file}']);
    expect(existsSync(TSLAB)).toBe(true);
    expect(spec.language).toBe('typescript');
    expect(spec.display_name).toBe(`TypeScript (Mjölnir, tslab) ${ROOT.replace(/\/$/, '')}`);
    expect(spec.env).toEqual({ MJOLNIR_KERNEL_CHECKOUT: ROOT.replace(/\/$/, '') });
  });

  it("refuses, at the first import, to run this checkout's library on another checkout's kernel", () => {
    const dir = mkdtempSync(join(ROOT, 'test', '.kernel-'));
    try {
      const path = join(dir, 'other.ipynb');
      writeFileSync(
        path,
        JSON.stringify(notebookOf(["import { z } from '@mjolnir/lib';", 'z.number().parse(1)'])),
      );
      const { failure } = execute(path, (spec) => {
        spec['env'] = { MJOLNIR_KERNEL_CHECKOUT: '/srv/another-checkout' };
      });
      expect(failure?.index).toBe(0);
      expect(failure?.error).toContain(
        `this Jupyter kernel is the Mjölnir kernel of /srv/another-checkout, but the notebook loads the library of ${ROOT.replace(/\/$/, '')}: run \`make lab\``,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  const notebooks = readdirSync(join(ROOT, 'notebooks'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  it.each(notebooks)(
    '%s runs headless on the kernel, its assertions holding',
    (notebook) => {
      const source = JSON.parse(readFileSync(join(ROOT, 'notebooks', notebook), 'utf8'));
      // Committed without outputs: what a reader sees is what the kernel makes.
      for (const cell of source.cells) if (cell.cell_type === 'code') expect(cell.outputs).toEqual([]);
      const { status, failure, outputs } = execute(join(ROOT, 'notebooks', notebook));
      expect(
        failure,
        failure === null ? '' : `cell ${failure.index}:\n${failure.source}\n${failure.error}`,
      ).toBeNull();
      expect(status).toBe(0);
      // Each shows at least one chart: an image of an SVG, which survives nbconvert's HTML export.
      const html = outputs.map((o) => [o.data?.['text/html'] ?? ''].flat().join(''));
      expect(
        html.some((h) =>
          h.includes('<img class="mjolnir-chart" alt="chart" src="data:image/svg+xml;base64,'),
        ),
      ).toBe(true);
    },
    300_000,
  );

  it('names the first failing cell and its error (tslab aborts the cells after it: not a cascade)', () => {
    const notebook = notebookOf(['const a = 1;', "throw new Error('planted failure ' + a);", 'a + 1']);
    const path = join(jupyterDir, 'failing.ipynb');
    writeFileSync(path, JSON.stringify(notebook));
    const { failure } = execute(path);
    expect(failure).toMatchObject({ index: 1, source: "throw new Error('planted failure ' + a);" });
    expect(failure!.error).toContain('Error: planted failure 1');
  }, 120_000);

  it('make lab serves notebooks/ on 127.0.0.1 only, and only with its token', async () => {
    const port = await freePort();
    const lab = start('make', ['--no-print-directory', 'lab'], {
      JUPYTER_PORT: String(port),
      JUPYTER_DATA_DIR: jupyterDir,
    });
    await printed(lab, `Jupyter on http://127.0.0.1:${port}/?token=`);
    const token = new RegExp(`127\\.0\\.0\\.1:${port}/\\?token=([0-9a-f]{48})`).exec(lab.output())![1]!;
    expect(lab.output()).toContain(`ssh -L ${port}:127.0.0.1:${port}`);
    // Until Jupyter answers (the line above is printed just before it starts).
    let status = 0;
    for (let i = 0; i < 600 && status === 0 && lab.exitCode === null; i++) {
      status = await fetch(`http://127.0.0.1:${port}/api/status`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 0) await sleep(100);
    }
    expect(status).toBe(403);
    const authorised = await fetch(`http://127.0.0.1:${port}/api/status`, {
      headers: { Authorization: `token ${token}` },
    });
    expect(authorised.status).toBe(200);
    const listing = await fetch(`http://127.0.0.1:${port}/api/contents?token=${token}`);
    const names = ((await listing.json()) as { content: { name: string }[] }).content.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(notebooks));
    expect(listeners(port)).toEqual(['127.0.0.1']);
    lab.kill('SIGTERM');
    try {
      process.kill(-lab.pid!, 'SIGTERM');
    } catch {
      // gone already
    }
    await exited(lab);
  }, 120_000);
});
