import type { Clock } from '../time/index.js';

/**
 * Simulated time: starts at `start` and runs `speed` times faster than `base` (300 = one 5m bar per
 * real second). Deterministic when `base` is a TestClock.
 */
export class VirtualClock implements Clock {
  private readonly origin: number;

  constructor(
    private readonly start: number,
    private readonly speed: number,
    private readonly base: Clock,
  ) {
    this.origin = base.now();
  }

  now(): number {
    return Math.floor(this.start + (this.base.now() - this.origin) * this.speed);
  }
}
