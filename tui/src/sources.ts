import {
  type Clock,
  DataLayout,
  type HealthOptions,
  type LiveStream,
  RunWatch,
  type StreamHealth,
  streamName,
} from '@mjolnir/lib';
import type { HealthCheck } from '@mjolnir/lib/live';
import type { DashboardData, StreamData } from './view-model.js';

/** What the dashboard reads, injected (the real files and healthcheck, or a test's). */
export interface SourceOptions {
  readonly dataRoot: string;
  /** The streams to show: a config's, or every LIVE stream found under the data root (looked for again each refresh). */
  readonly streams: () => readonly LiveStream[];
  readonly clock: Clock;
  /** The healthcheck (`checkHealth` over the lake and the exchange), run every few seconds. */
  readonly health: (options: HealthOptions) => Promise<HealthCheck>;
  readonly healthOptions: HealthOptions;
  /** How fast the exchange's clock runs against this machine's (a simulator's speed; 1 for a real one). */
  readonly rate: number;
}

/** Bytes of a journal taken in per refresh: a long one is read over several, the keys answering between. */
const REFRESH_BYTES = 16 << 20;

/**
 * The dashboard's sources: a bounded `RunWatch` per stream, refreshed from byte offsets (polling: it
 * works on docker bind mounts), and the last healthcheck. Reads only; never writes.
 */
export class DashboardSources {
  private readonly layout: DataLayout;
  private readonly watches = new Map<string, { stream: LiveStream; watch: RunWatch }>();
  private report: HealthCheck | null = null;
  /** When (this machine's clock) the last report was made: exchange time is carried on from it. */
  private reportedAt = 0;

  constructor(private readonly options: SourceOptions) {
    this.layout = new DataLayout(options.dataRoot);
  }

  /** Takes in what every journal gained (and any stream that appeared); returns the rows taken in. */
  refresh(): number {
    for (const stream of this.options.streams()) {
      const name = streamName(stream);
      if (this.watches.has(name)) continue;
      const { tag, symbol, timeframe } = stream;
      const watch = new RunWatch(
        this.layout.decisions(tag, symbol, timeframe),
        this.layout.trades(tag, symbol, timeframe),
        timeframe,
      );
      this.watches.set(name, { stream, watch });
    }
    let rows = 0;
    for (const { watch } of this.watches.values()) rows += watch.refresh(REFRESH_BYTES).decisions;
    return rows;
  }

  /** Runs the healthcheck; a failing one leaves the last verdict (the dashboard must not die of it). */
  async checkHealth(): Promise<void> {
    try {
      this.report = await this.options.health(this.options.healthOptions);
      this.reportedAt = this.options.clock.now();
    } catch {
      this.report = null;
    }
  }

  data(): DashboardData {
    const byName = new Map<string, StreamHealth>(this.report?.streams.map((s) => [s.stream, s]) ?? []);
    const streams: StreamData[] = [...this.watches.entries()].map(([name, { stream, watch }]) => ({
      name,
      timeframe: stream.timeframe,
      decisionsPath: watch.decisionsPath,
      watch: watch.snapshot(),
      health: byName.get(name) ?? null,
    }));
    const wall = this.options.clock.now();
    const now =
      this.report?.clock === 'exchange'
        ? this.report.now + (wall - this.reportedAt) * this.options.rate
        : wall;
    return {
      dataRoot: this.options.dataRoot,
      streams,
      now,
      clock: this.report?.clock ?? 'machine',
      healthAt: this.report?.now ?? null,
    };
  }
}
