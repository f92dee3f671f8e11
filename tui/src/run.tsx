import { type Config, DEFAULT_HEALTH, systemClock } from '@mjolnir/lib';
import { checkHealth, streamsToJudge, VenueClocks } from '@mjolnir/lib/live';
import { Lake } from '@mjolnir/lib/store';
import { render } from 'ink';
import { App } from './components/app.js';
import { colourWanted } from './palette.js';
import { DashboardSources } from './sources.js';

export interface DashboardOptions {
  readonly dataRoot: string;
  /** Only this config's streams; null: every LIVE stream under the root (each judged by its run's venue). */
  readonly config: Config | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ends the dashboard (the demo's paper run is over); `q` ends it too. */
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
  readonly healthMs?: number;
  /** Bars a decision may lag before health FAILs it (the gap meter's scale too). */
  readonly graceBars?: number;
}

/**
 * Runs the dashboard on this terminal until `q` (or the signal): read-only, on the journals' tails
 * and the healthcheck. The lake is opened for reading (the newest raw bar); nothing is written.
 */
export async function runDashboard(options: DashboardOptions): Promise<void> {
  const { dataRoot, config, env } = options;
  const lake = await Lake.open(dataRoot);
  const venues = new VenueClocks(systemClock, config);
  const sources = new DashboardSources({
    dataRoot,
    streams: () => streamsToJudge(dataRoot, config),
    clock: systemClock,
    healthOptions: { ...DEFAULT_HEALTH, graceBars: options.graceBars ?? DEFAULT_HEALTH.graceBars },
    health: (healthOptions) =>
      checkHealth({
        root: dataRoot,
        config,
        lake,
        clock: systemClock,
        timeOf: venues.forCheck(),
        options: healthOptions,
      }),
  });
  const app = render(
    <App
      sources={sources}
      colour={colourWanted(env)}
      pollMs={options.pollMs ?? 500}
      healthMs={options.healthMs ?? 2000}
    />,
    { exitOnCtrlC: false },
  );
  const stop = () => app.unmount();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await app.waitUntilExit();
  } finally {
    options.signal?.removeEventListener('abort', stop);
    lake.close();
    await venues.close();
  }
}
