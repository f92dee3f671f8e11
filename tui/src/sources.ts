import {
  type Clock,
  DataLayout,
  type HealthOptions,
  type HealthReport,
  type LiveStream,
  RunWatch,
  type StreamHealth,
  streamName,
} from '@mjolnir/lib';
import type { DashboardData, StreamData } from './view-model.js';

/** What the dashboard reads, injected (the real files and healthcheck, or a test's). */
export interface SourceOptions {
  readonly dataRoot: string;
  /** The streams to show: a config's, or every LIVE stream found under the data root (looked for again each refresh). */
  readonly streams: () => readonly LiveStream[];
  readonly clock: Clock;
  /** The healthcheck (`checkHealth` over the lake and each venue's clock), run every few seconds. */
  readonly health: (options: HealthOptions) => Promise<HealthReport>;
  readonly healthOptions: HealthOptions;
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
  private report: HealthReport | null = null;
  /** Why the last healthcheck could not be made (shown, never hidden), or null. */
  private healthError: string | null = null;

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

  /** Runs the healthcheck; a failing one is shown as such (the dashboard must not die of it). */
  async checkHealth(): Promise<void> {
    try {
      this.report = await this.options.health(this.options.healthOptions);
      this.healthError = null;
    } catch (error) {
      this.healthError = error instanceof Error ? error.message : String(error);
    }
  }

  data(): DashboardData {
    const report = this.report;
    const byName = new Map<string, StreamHealth>(report?.streams.map((s) => [s.stream, s]) ?? []);
    const wall = this.options.clock.now();
    const streams: StreamData[] = [...this.watches.entries()].map(([name, { stream, watch }]) => {
      const health = byName.get(name) ?? null;
      return {
        name,
        timeframe: stream.timeframe,
        decisionsPath: watch.decisionsPath,
        watch: watch.snapshot(),
        health,
        // Its venue's clock carried on from the check (a simulator's runs at its own speed).
        now: health === null || report === null ? null : health.now + (wall - report.now) * health.rate,
      };
    });
    return {
      dataRoot: this.options.dataRoot,
      streams,
      now: wall,
      graceBars: this.options.healthOptions.graceBars,
      healthError: this.healthError,
    };
  }
}
