/**
 * The research kernel: the kernelspec points at the project's own tslab; every notebook under
 * notebooks/ runs headless on the real kernel (nbconvert --execute: the first failing cell fails it,
 * named, not a cascade of aborts); `make lab` serves Jupyter on 127.0.0.1 only, behind a token.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, exited, printed, ROOT, sleep, start } from './support/processes.js';

const jupyterDir = mkdtempSync(join(tmpdir(), 'mjolnir-jupyter-'));
const TSLAB = join(ROOT, 'kernel/node_modules/tslab/bin/tslab');
/** The system's Jupyter (a pyenv shim first on PATH may lack it). */
const JUPYTER = existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter';

/** The kernelspec installed into a Jupyter data directory of this test's own. */
function installKernel(): string {
  execFileSync(process.execPath, [CLI, 'kernel', 'install', '--dir', jupyterDir]);
  return join(jupyterDir, 'kernels/mjolnir-ts/kernel.json');
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

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
  it('has a kernelspec whose argv runs this Node on the project tslab', () => {
    const spec = JSON.parse(readFileSync(installKernel(), 'utf8')) as { argv: string[]; language: string };
    expect(spec.argv).toEqual([process.execPath, TSLAB, 'kernel', '--config-path', '{connection_file}']);
    expect(existsSync(TSLAB)).toBe(true);
    expect(spec.language).toBe('typescript');
  });

  const notebooks = readdirSync(join(ROOT, 'notebooks'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  it.each(notebooks)(
    '%s runs headless on the kernel, its assertions holding',
    (notebook) => {
      installKernel();
      const source = JSON.parse(readFileSync(join(ROOT, 'notebooks', notebook), 'utf8'));
      // Committed without outputs: what a reader sees is what the kernel makes.
      for (const cell of source.cells) if (cell.cell_type === 'code') expect(cell.outputs).toEqual([]);
      const out = join(jupyterDir, notebook);
      const run = spawnSync(
        JUPYTER,
        [
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          notebook,
          '--output',
          out,
          '--ExecutePreprocessor.timeout=300',
        ],
        { cwd: join(ROOT, 'notebooks'), env: { ...process.env, JUPYTER_PATH: jupyterDir }, encoding: 'utf8' },
      );
      // On failure nbconvert names the first failing cell and its error.
      expect(run.status, run.stderr.slice(-3000)).toBe(0);
      const executed = JSON.parse(readFileSync(out, 'utf8'));
      const outputs = executed.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []);
      expect(outputs.filter((o: { output_type: string }) => o.output_type === 'error')).toEqual([]);
      expect(
        outputs.some((o: { data?: Record<string, unknown> }) => o.data?.['image/svg+xml'] !== undefined),
      ).toBe(true);
    },
    300_000,
  );

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
