import { MjolnirError } from '../core/index.js';
import type { BarSeries, MutableBar } from '../market/index.js';
import { SyntheticMarket } from '../market/index.js';
import type { TsMs } from '../time/index.js';
import { type Timeframe, timeframe } from '../time/index.js';

/** A kline as the simulator serves it: open time and values, and whether it is still in progress. */
export interface SimKline {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly trades: number;
  readonly inProgress: boolean;
}

/** Where a simulated symbol's bars come from: a base timeframe, bar by bar from an origin. */
export interface SimBarSource {
  readonly base: Timeframe;
  /** Close time of the last bar the source can give, or Infinity for an endless generator. */
  readonly lastClose: number;
  /** Bars closing in (from, to], oldest first; `from` is aligned to the base timeframe. */
  bars(from: number, to: number): readonly MutableBar[];
}

const hash = (text: string) =>
  [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 2166136261);

/** Bars generated together and kept (or dropped and regenerated) together: a day of 1m bars. */
const CHUNK = 1_440;
/** Chunks kept in memory: the recent ones a live poll and a catch-up page ask for. */
const CACHED_CHUNKS = 8;

/**
 * An endless seeded synthetic market at a one-minute base, generated lazily from an origin. Memory
 * stays bounded however long the simulator runs: bars are generated a day at a time, a checkpoint of
 * the generator is kept for each day, and only the last few days' bars are kept; an older day asked
 * for again is regenerated from its checkpoint, bar for bar the same.
 */
export class SyntheticSource implements SimBarSource {
  readonly base = timeframe('1m');
  readonly lastClose = Number.POSITIVE_INFINITY;
  private readonly market: SyntheticMarket;
  /** The generator as it was before each chunk (index = chunk). */
  private readonly checkpoints: SyntheticMarket[] = [];
  /** Chunks in memory, least recently used first. */
  private readonly chunks = new Map<number, MutableBar[]>();

  constructor(
    private readonly origin: number,
    seed: number,
    symbol: string,
  ) {
    const startPrice = symbol.startsWith('BTC/') ? 30_000 : symbol.startsWith('ETH/') ? 2_000 : 100;
    this.market = new SyntheticMarket({
      seed: (seed ^ hash(symbol)) >>> 0,
      timeframe: this.base,
      startTs: (origin + this.base.ms) as TsMs,
      startPrice,
    });
  }

  bars(from: number, to: number): readonly MutableBar[] {
    const needed = Math.floor((to - this.origin) / this.base.ms);
    const first = Math.max(0, Math.floor((from - this.origin) / this.base.ms));
    const out: MutableBar[] = [];
    for (let index = first; index < needed; ) {
      const chunk = Math.floor(index / CHUNK);
      const bars = this.chunk(chunk);
      const end = Math.min(needed - chunk * CHUNK, CHUNK);
      for (let i = index - chunk * CHUNK; i < end; i++) out.push(bars[i]!);
      index = (chunk + 1) * CHUNK;
    }
    return out;
  }

  /** The bars of chunk `n`: cached, generated next, or regenerated from its checkpoint. */
  private chunk(n: number): MutableBar[] {
    const cached = this.chunks.get(n);
    if (cached !== undefined) {
      this.chunks.delete(n);
      this.chunks.set(n, cached);
      return cached;
    }
    while (this.checkpoints.length <= n) {
      const next = this.checkpoints.length;
      this.checkpoints.push(this.market.clone());
      this.keep(next, generate(this.market));
    }
    const bars = this.chunks.get(n) ?? generate(this.checkpoints[n]!.clone());
    this.keep(n, bars);
    return bars;
  }

  private keep(n: number, bars: MutableBar[]): void {
    this.chunks.delete(n);
    this.chunks.set(n, bars);
    while (this.chunks.size > CACHED_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
  }
}

/** The next chunk of bars from `market`. */
function generate(market: SyntheticMarket): MutableBar[] {
  return Array.from({ length: CHUNK }, () => market.next({} as MutableBar));
}

/** Replay of recorded bars (lake, CSV, freqtrade JSON) at their own timeframe. */
export class ReplaySource implements SimBarSource {
  readonly lastClose: number;

  constructor(
    readonly base: Timeframe,
    private readonly series: BarSeries,
  ) {
    if (series.length === 0)
      throw new MjolnirError('input_invalid', 'nothing to replay: the series is empty');
    this.lastClose = series.ts[series.length - 1]!;
  }

  /** Close time of the first recorded bar. */
  get firstClose(): number {
    return this.series.ts[0]!;
  }

  bars(from: number, to: number): readonly MutableBar[] {
    const out: MutableBar[] = [];
    const ts = this.series.ts;
    let lo = 0;
    let hi = this.series.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.series.length && ts[i]! <= to; i++) {
      out.push({
        ts: ts[i]! as TsMs,
        open: this.series.open[i]!,
        high: this.series.high[i]!,
        low: this.series.low[i]!,
        close: this.series.close[i]!,
        volume: this.series.volume[i]!,
      });
    }
    return out;
  }
}

/** The part of a base bar that has happened by `now` (a bar in progress changes until it closes). */
function partial(bar: MutableBar, base: Timeframe, now: number): MutableBar {
  const fraction = Math.min(1, Math.max(0, (now - (bar.ts - base.ms)) / base.ms));
  if (fraction >= 1) return bar;
  const close = bar.open + (bar.close - bar.open) * fraction;
  const top = Math.max(bar.open, bar.close);
  const bottom = Math.min(bar.open, bar.close);
  return {
    ts: bar.ts,
    open: bar.open,
    close,
    high: Math.max(bar.open, close) + (bar.high - top) * fraction,
    low: Math.min(bar.open, close) - (bottom - bar.low) * fraction,
    volume: bar.volume * fraction,
  };
}

interface Bucket {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Klines of `interval` whose open lies in [startOpen, endOpen] and has happened by `now`, built from
 * the source's base bars (an interval bar is the aggregate of the base bars it spans; with none, it is
 * absent). The newest kline is in progress when its interval has not ended by `now`.
 */
export function klines(
  source: SimBarSource,
  interval: Timeframe,
  startOpen: number,
  endOpen: number,
  now: number,
): SimKline[] {
  const base = source.base;
  if (interval.ms % base.ms !== 0) {
    throw new MjolnirError(
      'input_invalid',
      `interval ${interval.label} is finer than the data (${base.label})`,
    );
  }
  const lastOpen = Math.min(endOpen, Math.floor(now / interval.ms) * interval.ms);
  const firstOpen = Math.ceil(startOpen / interval.ms) * interval.ms;
  if (lastOpen < firstOpen) return [];
  const buckets: Bucket[] = [];
  for (const raw of source.bars(
    firstOpen,
    Math.min(now + base.ms, lastOpen + interval.ms, source.lastClose),
  )) {
    const openTime = raw.ts - base.ms;
    if (openTime > now) break;
    const bucketOpen = Math.floor(openTime / interval.ms) * interval.ms;
    if (bucketOpen > lastOpen) break;
    const bar = partial(raw, base, now);
    const last = buckets.at(-1);
    if (last === undefined || last.openTime !== bucketOpen) {
      buckets.push({
        openTime: bucketOpen,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
      });
    } else {
      last.high = Math.max(last.high, bar.high);
      last.low = Math.min(last.low, bar.low);
      last.close = bar.close;
      last.volume += bar.volume;
    }
  }
  return buckets.map((b) => ({
    ...b,
    trades: Math.max(1, Math.round(b.volume * 37)),
    inProgress: b.openTime + interval.ms > now,
  }));
}
