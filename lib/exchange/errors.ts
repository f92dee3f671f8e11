import ccxt from 'ccxt';
import { type ErrorCode, MjolnirError } from '../core/index.js';

// Most specific first: ccxt's classes inherit (RateLimitExceeded and InvalidNonce are NetworkErrors).
const TRANSLATIONS: readonly (readonly [new (...args: never[]) => Error, ErrorCode, string])[] = [
  [ccxt.RateLimitExceeded, 'rate_limited', 'rate limited'],
  [ccxt.DDoSProtection, 'rate_limited', 'throttled (DDoS protection)'],
  [ccxt.RequestTimeout, 'timeout', 'timed out'],
  [
    ccxt.InvalidNonce,
    'clock_drift',
    'refused the request time (check the clock: "timestamp outside recv window")',
  ],
  [ccxt.ExchangeNotAvailable, 'exchange_unavailable', 'unavailable'],
  [ccxt.NetworkError, 'exchange_unavailable', 'unreachable'],
  [ccxt.BadResponse, 'bad_response', 'sent a malformed response'],
  [ccxt.BadSymbol, 'bad_symbol', 'does not know the symbol'],
  [ccxt.AuthenticationError, 'auth_failed', 'refused the credentials'],
  [ccxt.ExchangeError, 'exchange_rejected', 'rejected the request'],
];

/** Removes anything that looks like a credential from text bound for logs. */
export function redact(text: string): string {
  return text.replace(/(signature|apiKey|api_key|secret|passphrase)=[^&\s"]+/gi, '$1=[redacted]');
}

/**
 * Translates a ccxt error, once, into our codes grouped by what the operator does (docs/contracts.md: exit codes):
 * retryable (rate limit, timeout, unavailable, malformed response) or operator-fix (bad symbol,
 * credentials, clock, rejection). Errors that are not ccxt's are returned unchanged: they are bugs.
 */
export function translateExchangeError(error: unknown, context: string): unknown {
  if (error instanceof MjolnirError || !(error instanceof ccxt.BaseError)) return error;
  for (const [kind, code, words] of TRANSLATIONS) {
    if (error instanceof kind) {
      return new MjolnirError(code, `${context}: exchange ${words}: ${redact(error.message)}`, {
        cause: error,
      });
    }
  }
  return new MjolnirError('exchange_rejected', `${context}: ${redact(error.message)}`, { cause: error });
}
