import type { TradeEvent } from '../engine/index.js';
import { NUMBER_EQUITY, NUMBER_TS } from '../engine/index.js';
import { type PerformanceStats, performanceStats, type TradeStats, tradeStats } from '../metrics/index.js';

const YEAR_MS = 365 * 86_400_000;

/** What a run's decisions add up to. */
export interface RunMetrics {
  readonly performance: PerformanceStats;
  readonly trades: TradeStats;
}

/**
 * Gathers a run's equity curve (one point per decided bar, marked at its close; a bar without a close
 * keeps the last value) and its closed trades, for the metrics a backtest and a sweep report alike.
 */
export class RunRecorder {
  private ts: Float64Array;
  private equity: Float64Array;
  private held: Uint8Array;
  private count = 0;
  private readonly closed: { pnl: number; fees: number }[] = [];
  private last: number;
  /** `record`'s numbers, passed on as recordNumbers takes them. */
  private readonly point = new Float64Array(6);

  /** `capacity`: the bars expected (it grows past them if need be). */
  constructor(
    private readonly initialCapital: number,
    capacity = 1024,
  ) {
    this.last = initialCapital;
    this.ts = new Float64Array(capacity);
    this.equity = new Float64Array(capacity);
    this.held = new Uint8Array(capacity);
  }

  /** One decided bar: its close time, equity marked at its close (NaN without one), side after it, fills. */
  record(ts: number, equity: number, side: number, events: readonly TradeEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.kind === 'close') this.closed.push(event);
    }
    const point = this.point;
    point[NUMBER_TS] = ts;
    point[NUMBER_EQUITY] = equity;
    this.recordNumbers(point, side);
  }

  /** `record` of a bar without fills, its close time and equity in `numbers` (see StepLog.numbersInto). */
  recordNumbers(numbers: Float64Array, side: number): void {
    const equity = numbers[NUMBER_EQUITY]!;
    if (!Number.isNaN(equity)) this.last = equity;
    if (this.count === this.ts.length) this.grow();
    this.ts[this.count] = numbers[NUMBER_TS]!;
    this.equity[this.count] = this.last;
    this.held[this.count] = side === 0 ? 0 : 1;
    this.count++;
  }

  private grow(): void {
    const size = this.ts.length * 2;
    const ts = new Float64Array(size);
    const equity = new Float64Array(size);
    const held = new Uint8Array(size);
    ts.set(this.ts);
    equity.set(this.equity);
    held.set(this.held);
    this.ts = ts;
    this.equity = equity;
    this.held = held;
  }

  /** Metrics over everything recorded, annualised for bars of `timeframeMs`. */
  metrics(timeframeMs: number): RunMetrics {
    const curve = {
      ts: this.ts.subarray(0, this.count),
      equity: this.equity.subarray(0, this.count),
      inPosition: this.held.subarray(0, this.count),
    };
    return {
      performance: performanceStats(curve, YEAR_MS / timeframeMs),
      trades: tradeStats(this.closed, this.initialCapital),
    };
  }
}
