export {
  ERROR_CODES,
  type ErrorCategory,
  type ErrorCode,
  hasErrorCode,
  invariant,
  MjolnirError,
} from './errors.js';
export { manifestText } from './json.js';
export { err, ok, type Result } from './result.js';
