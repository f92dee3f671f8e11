import type { Config } from '../config/index.js';
import { type HealthOptions, type HealthReport, machineTime, streamName } from '../health/index.js';
import type { Lake } from '../store/index.js';
import type { Clock, Scheduler } from '../time/index.js';
import { checkHealth } from './health-check.js';
import type { StreamProbe } from './observer.js';
import { venueFor } from './paper.js';

/** The verdict the paper process keeps, and when (this machine's clock) it was made. */
export interface KeptVerdict {
  readonly report: HealthReport;
  readonly at: number;
}

/** What the monitor needs from the paper process. */
export interface HealthMonitorOptions {
  readonly root: string;
  readonly config: Config;
  /** The process's own read connection to the lake (the newest raw bar). */
  readonly lake: Lake;
  readonly clock: Clock;
  readonly options: HealthOptions;
  /** A stream's loop, once open: its venue clock as the loop estimates it (no request of our own). */
  readonly probe: (stream: string) => StreamProbe | undefined;
  /** Told of each new verdict (the log, when it changes). */
  readonly onVerdict?: (verdict: KeptVerdict, previous: KeptVerdict | null) => void;
}

/** How often the paper process judges its health (wall time). */
export const HEALTH_EVERY_MS = 2_000;

/**
 * The paper process's one health evaluation: made on its own schedule, every couple of seconds, from
 * the files, the process's lake connection and each loop's venue clock (the time the loop already
 * reads from the one exchange client it has), never on a request. `/health`, `/metrics` and the log
 * read the kept verdict with its age: a thousand requests cost the loop nothing and the venue no call.
 */
export class HealthMonitor {
  private kept: KeptVerdict | null = null;

  constructor(private readonly host: HealthMonitorOptions) {}

  /** The last verdict (null before the first). */
  get verdict(): KeptVerdict | null {
    return this.kept;
  }

  /** Judges once now. */
  async evaluate(): Promise<KeptVerdict> {
    const { host } = this;
    const venue = venueFor(host.config);
    const report = await checkHealth({
      root: host.root,
      config: host.config,
      lake: host.lake,
      clock: host.clock,
      options: host.options,
      timeOf: async (stream) => {
        const probe = host.probe(streamName(stream));
        return probe?.venueTime() ?? machineTime(host.clock.now(), venue, null);
      },
    });
    const previous = this.kept;
    this.kept = { report, at: host.clock.now() };
    host.onVerdict?.(this.kept, previous);
    return this.kept;
  }

  /** Judges every `everyMs` until the signal aborts; a failed evaluation is told and retried next time. */
  async run(
    scheduler: Scheduler,
    signal: AbortSignal,
    onError: (error: Error) => void,
    everyMs = HEALTH_EVERY_MS,
  ) {
    while (!signal.aborted) {
      const started = scheduler.elapsed();
      await this.evaluate().catch(onError);
      await scheduler.sleep(Math.max(0, everyMs - (scheduler.elapsed() - started)), signal);
    }
  }
}
