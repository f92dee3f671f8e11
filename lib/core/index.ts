export {
  describeSystemError,
  ERROR_CODES,
  type ErrorCategory,
  type ErrorCode,
  hasErrorCode,
  invariant,
  MjolnirError,
  storageFailed,
  systemErrorCode,
} from './errors.js';
export { manifestText } from './json.js';
export { err, ok, type Result } from './result.js';
