import { MjolnirError } from '../core/index.js';

/** Where time comes from. Injected everywhere; `lib/` never reads the wall clock for decisions. */
export interface Clock {
  /** Current UTC milliseconds. */
  now(): number;
}

/** The real clock, for hosts (the paper loop, the CLI). The only wall-clock read in the library. */
export const systemClock: Clock = { now: () => Date.now() };

/** A manually driven clock for tests and simulations; it refuses to go backwards. */
export class TestClock implements Clock {
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
}
