import type { Clock } from '../time/index.js';

/**
 * The exchange's time as the loop estimates it: the last server time observed, carried forward by
 * local elapsed time times `rate` (1 for a real exchange, the speed factor for the simulator). Used
 * only to tell how long fetching has been failing; closure never depends on it.
 */
export class ExchangeClock implements Clock {
  private serverTime: number;
  private localAt: number;
  private observed = false;
  /** Whether the last request for the time was answered (null before the first). */
  answering: boolean | null = null;

  constructor(
    private readonly local: Clock,
    readonly rate = 1,
  ) {
    this.serverTime = local.now();
    this.localAt = this.serverTime;
  }

  /** Records a server time just read. */
  observe(serverTime: number): void {
    this.serverTime = serverTime;
    this.localAt = this.local.now();
    this.observed = true;
    this.answering = true;
  }

  /** A request for the time failed: the estimate carries on from the last observation. */
  unanswered(): void {
    this.answering = false;
  }

  /**
   * Whether `now` can be trusted: once observed, or for a real exchange (rate 1), whose clock is ours
   * give or take drift. A simulator's clock is unknown until read.
   */
  get known(): boolean {
    return this.observed || this.rate === 1;
  }

  now(): number {
    return this.serverTime + (this.local.now() - this.localAt) * this.rate;
  }
}
