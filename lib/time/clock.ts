import { MjolnirError } from '../core/index.js';

/** Where time comes from. Injected everywhere; `lib/` never reads the wall clock for decisions. */
export interface Clock {
  /** Current UTC milliseconds. */
  now(): number;
}

/** The real clock, for hosts (the paper loop, the CLI). The only wall-clock read in the library. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * How a host paces itself: it measures an iteration and waits out the rest of its interval. Real
 * timers for the paper process; a TestClock in tests, which jumps instead of waiting.
 */
export interface Scheduler {
  /** Monotonic milliseconds, to measure how long something took. */
  elapsed(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Real timers: `performance.now()` and `setTimeout`. */
export const realScheduler: Scheduler = {
  elapsed: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A manually driven clock for tests and simulations; it refuses to go backwards. As a Scheduler it
 * jumps: a sleep moves it forward and resolves on the next turn of the event loop, so a paper loop
 * driven by it runs through simulated hours in moments, deterministically.
 */
export class TestClock implements Clock, Scheduler {
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock to `ts`; moving backwards is a bug in the caller. */
  set(ts: number): void {
    if (ts < this.current) {
      throw new MjolnirError(
        'invariant_violated',
        `TestClock cannot go backwards (${this.current} -> ${ts})`,
      );
    }
    this.current = ts;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  elapsed(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (!signal.aborted) this.advance(ms);
    return new Promise((resolve) => setImmediate(resolve));
  }
}
