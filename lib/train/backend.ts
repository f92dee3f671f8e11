import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { MjolnirError } from '../core/index.js';

/** The tfjs namespace (from @tensorflow/tfjs, or tfjs-node's, which re-exports it). */
export type TfModule = typeof Tf;

/** Backends in the order they are tried: native TensorFlow (tfjs-node[-gpu]), WebAssembly, plain JS. */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The backend training runs on, with what was found (printed and written in the model's manifest). */
export interface Backend {
  readonly tf: TfModule;
  readonly name: BackendName;
  /** e.g. "wasm (SIMD, single thread)", "tensorflow (@tensorflow/tfjs-node-gpu 4.22.0)". */
  readonly detail: string;
  readonly version: string;
}

const load = createRequire(import.meta.url);

/**
 * Whether `name` is installed as itself. The workspace aliases `@tensorflow/tfjs-node` to plain tfjs
 * (a dependency wants it and it cannot build everywhere), so the package's own name decides.
 */
function installed(name: string): boolean {
  try {
    return (
      (JSON.parse(readFileSync(load.resolve(`${name}/package.json`), 'utf8')) as { name?: string }).name ===
      name
    );
  } catch (error) {
    // Not installed: require.resolve says so with MODULE_NOT_FOUND.
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return false;
    throw error;
  }
}

/** The tfjs-node package installed here, if any (the GPU one first). */
function nativePackage(): string | null {
  return ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].find(installed) ?? null;
}

/** The backend `selectBackend()` would start, from what is installed, without loading tfjs (doctor). */
export function installedBackend(): { readonly name: BackendName; readonly package: string } {
  const native = nativePackage();
  if (native !== null) return { name: 'tensorflow', package: native };
  const wasm = '@tensorflow/tfjs-backend-wasm';
  return installed(wasm) ? { name: 'wasm', package: wasm } : { name: 'cpu', package: '@tensorflow/tfjs' };
}

async function tryNative(): Promise<Backend | null> {
  const name = nativePackage();
  if (name === null) return null;
  const tf = (await import(name)) as TfModule;
  await tf.setBackend('tensorflow');
  const gpu = name.endsWith('-gpu') ? ', CUDA' : '';
  return {
    tf,
    name: 'tensorflow',
    detail: `tensorflow (${name} ${tf.version.tfjs}${gpu})`,
    version: tf.version.tfjs,
  };
}

async function tryWasm(tf: TfModule): Promise<Backend | null> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm files beside the package's main script (a bundler-free Node install).
  wasm.setWasmPaths(`${dirname(load.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  if (!(await tf.setBackend('wasm'))) return null;
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
  return { tf, name: 'wasm', detail: `wasm (${simd}, single thread)`, version: tf.version.tfjs };
}

/**
 * Loads tfjs on the best backend present, or the one asked for (`TF_BACKEND`): `tensorflow` when
 * tfjs-node-gpu or tfjs-node is installed (the GPU image), else `wasm`, else `cpu`. Asking for one
 * that is not there is an error, never a silent fallback.
 */
export async function selectBackend(prefer?: BackendName): Promise<Backend> {
  if (prefer !== undefined && !BACKENDS.includes(prefer))
    throw new MjolnirError(
      'input_invalid',
      `backend ${String(prefer)}: expected one of ${BACKENDS.join(', ')}`,
    );
  if (prefer === undefined || prefer === 'tensorflow') {
    const native = await tryNative();
    if (native !== null) return native;
    if (prefer === 'tensorflow')
      throw new MjolnirError(
        'input_invalid',
        'backend tensorflow needs @tensorflow/tfjs-node or tfjs-node-gpu installed',
      );
  }
  const tf = (await import('@tensorflow/tfjs')) as TfModule;
  // Quiet: tfjs's hint to install tfjs-node is for browsers' users; the backend is reported here.
  tf.enableProdMode();
  if (prefer !== 'cpu') {
    const wasm = await tryWasm(tf);
    if (wasm !== null) return wasm;
    if (prefer === 'wasm') throw new MjolnirError('input_invalid', 'backend wasm could not start');
  }
  await tf.setBackend('cpu');
  return { tf, name: 'cpu', detail: 'cpu (plain JavaScript)', version: tf.version.tfjs };
}

/** The backend named by `TF_BACKEND` (empty: the best present). */
export function backendFromEnv(env: Readonly<Record<string, string | undefined>>): BackendName | undefined {
  const value = env['TF_BACKEND'];
  if (value === undefined || value === '') return undefined;
  if (!(BACKENDS as readonly string[]).includes(value))
    throw new MjolnirError('input_invalid', `TF_BACKEND=${value}: expected one of ${BACKENDS.join(', ')}`);
  return value as BackendName;
}
