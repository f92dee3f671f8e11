import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_CHECKOUT_VARIABLE, MjolnirError } from '@mjolnir/lib';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** The kernel's name in Jupyter (a notebook's `metadata.kernelspec.name`). */
export const KERNEL_NAME = 'mjolnir-ts';

/** The repository this CLI was built from (dist/cli/commands -> the root). */
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The project's own tslab (kernel/, installed apart from the workspace by `make lab` and `make test`). */
export const TSLAB = join(ROOT, 'kernel', 'node_modules', 'tslab', 'bin', 'tslab');

/**
 * The kernelspec, written ourselves rather than by `tslab install` (which needs a `python3` with
 * jupyter_client: a pyenv or venv one may shadow the system's). The kernel runs this Node on the
 * project's tslab; notebooks import `@mjolnir/lib` from the repository's node_modules. The kernel's
 * name is the same in every checkout (notebooks name it); its display name says which checkout it is,
 * and the library refuses to load in it from another one.
 */
export function kernelSpec() {
  return {
    argv: [process.execPath, TSLAB, 'kernel', '--config-path', '{connection_file}'],
    display_name: `TypeScript (Mjölnir, tslab) ${ROOT}`,
    language: 'typescript',
    // The library refuses to load in this kernel from another checkout (kernelCheckoutProblem).
    env: { [KERNEL_CHECKOUT_VARIABLE]: ROOT },
    metadata: { debugger: false },
  };
}

/** Jupyter's user data directory: JUPYTER_DATA_DIR, else ~/.local/share/jupyter (Linux). */
const dataDir = (env: Readonly<Record<string, string | undefined>>) =>
  env['JUPYTER_DATA_DIR'] ?? join(homedir(), '.local', 'share', 'jupyter');

export function registerKernel(program: Command, io: CliIo): void {
  const kernel = program.command('kernel').description('the tslab research kernel for Jupyter');
  kernel
    .command('install')
    .description(`writes the ${KERNEL_NAME} kernelspec (JUPYTER_DATA_DIR, default ~/.local/share/jupyter)`)
    .option('--dir <dir>', 'Jupyter data directory to install into')
    .action((options: { dir?: string }) => {
      if (!existsSync(TSLAB))
        throw new MjolnirError(
          'input_invalid',
          `tslab is not installed at ${TSLAB}: run make lab (or cd kernel && npm ci)`,
        );
      const dir = join(options.dir ?? dataDir(io.env), 'kernels', KERNEL_NAME);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'kernel.json'), `${JSON.stringify(kernelSpec(), null, 2)}\n`);
      io.stdout.write(`kernelspec ${KERNEL_NAME} -> ${join(dir, 'kernel.json')} (tslab ${TSLAB})\n`);
    });
}
