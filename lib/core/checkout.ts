import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSystemError, MjolnirError } from './errors.js';

/** What the research kernel's kernelspec sets: the checkout whose tslab runs the kernel. */
export const KERNEL_CHECKOUT_VARIABLE = 'MJOLNIR_KERNEL_CHECKOUT';

/** The checkout this library was built in (lib/dist/core -> the repository root). */
const LIBRARY_CHECKOUT = fileURLToPath(new URL('../../..', import.meta.url));

const real = (path: string) => {
  try {
    return realpathSync(path);
  } catch (error) {
    // A checkout that is not there (yet) is compared as named.
    if (isSystemError(error, 'ENOENT', 'ENOTDIR')) return path;
    throw error;
  }
};

/**
 * The problem, or null, of a kernel of one checkout loading the library of another: a user-wide
 * kernelspec names one checkout, and a notebook of a second checkout would run the first one's kernel
 * against its own library without a word. Only kernels set the variable; other hosts pass.
 */
export function kernelCheckoutProblem(
  env: Readonly<Record<string, string | undefined>> = process.env,
  library: string = LIBRARY_CHECKOUT,
): string | null {
  const kernel = env[KERNEL_CHECKOUT_VARIABLE];
  if (kernel === undefined || kernel === '' || real(kernel) === real(library)) return null;
  return `this Jupyter kernel is the Mjölnir kernel of ${real(kernel)}, but the notebook loads the library of ${real(library)}: run \`make lab\` in ${real(library)} (it installs that checkout's kernel) and restart the kernel`;
}

/** Refuses (state_incompatible) to load the library into another checkout's kernel. */
export function assertKernelCheckout(): void {
  const problem = kernelCheckoutProblem();
  if (problem !== null) throw new MjolnirError('state_incompatible', problem);
}
