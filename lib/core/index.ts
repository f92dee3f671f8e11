export {
  assertKernelCheckout,
  KERNEL_CHECKOUT_VARIABLE,
  kernelCheckoutProblem,
} from './checkout.js';
export {
  describeSystemError,
  ERROR_CODES,
  type ErrorCategory,
  type ErrorCode,
  hasErrorCode,
  invariant,
  isSystemError,
  MjolnirError,
  storageFailed,
  systemErrorCode,
} from './errors.js';
export { fsyncPath } from './files.js';
export { fixed, formatMetric, percent, significant } from './format.js';
export { canonicalJson, exactJson, manifestText, parseExactJson } from './json.js';
export { LITTLE_ENDIAN } from './platform.js';
export { err, ok, type Result } from './result.js';
export { workerScript } from './worker-file.js';
