import type { Clock } from '../time/index.js';

/**
 * Simulated time: starts at `start` and runs `speed` times faster than `base` (300 = one 5m bar per
 * real second). Deterministic when `base` is a TestClock. A clock made `held` stays at `start` until
 * `release()`: a bounded session (the demo) lets its loop warm up on the same bars whatever the machine's
 * speed, then lets time run.
 */
export class VirtualClock implements Clock {
  private origin: number | null;

  constructor(
    private readonly start: number,
    private readonly speed: number,
    private readonly base: Clock,
    options: { readonly held?: boolean } = {},
  ) {
    this.origin = options.held === true ? null : base.now();
  }

  /** Lets a held clock run from `start` (a no-op once running). */
  release(): void {
    this.origin ??= this.base.now();
  }

  now(): number {
    if (this.origin === null) return this.start;
    return Math.floor(this.start + (this.base.now() - this.origin) * this.speed);
  }
}
