import type { MjolnirError } from '../core/index.js';
import type { Clock } from '../time/index.js';
import type { Logger } from './logger.js';

/** While failing, a reminder that it still fails is logged this often (by the loop's clock). */
const REMINDER_MS = 60_000;

/**
 * Logs a repeated failure once per change of state, not once per poll: the first failure (and a
 * failure of another kind) at error level, the same failure again only counted (debug), a reminder
 * with the count every minute, and the recovery with how many failures and how long it lasted.
 * A loop polling a dead exchange twice a second writes a handful of lines, not hundreds.
 */
export class FailureLog {
  private failures = 0;
  private since = 0;
  private lastKind = '';
  private remindedAt = 0;

  constructor(
    private readonly log: Logger,
    /** What fails, as the log lines say it: "Fetch", "Persist". */
    private readonly what: string,
    private readonly clock: Clock,
  ) {}

  /** Whether the last attempt failed. */
  get failing(): boolean {
    return this.failures > 0;
  }

  failed(error: MjolnirError): void {
    const now = this.clock.now();
    const kind = `${error.code}: ${error.message}`;
    const fields = { code: error.code, error: error.message };
    if (this.failures === 0) {
      this.since = now;
      this.remindedAt = now;
    }
    this.failures++;
    if (this.failures === 1 || kind !== this.lastKind) {
      this.log.error(fields, `${this.what} failed`);
      this.remindedAt = now;
    } else if (now - this.remindedAt >= REMINDER_MS) {
      this.log.warn(
        { ...fields, failures: this.failures, failing_for_s: Math.round((now - this.since) / 1000) },
        `${this.what} still failing`,
      );
      this.remindedAt = now;
    } else {
      this.log.debug({ ...fields, failures: this.failures }, `${this.what} failed again`);
    }
    this.lastKind = kind;
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.log.info(
      {
        failures: this.failures,
        failed_for_s: Math.round((this.clock.now() - this.since) / 1000),
      },
      `${this.what} recovered`,
    );
    this.failures = 0;
    this.lastKind = '';
  }
}
