import { type Config, MjolnirError, systemClock } from '@mjolnir/lib';
import { type DoctorCheck, fail, ok, warn } from './check.js';

/** Seed 001: "timestamp outside recv window" starts here. */
const DRIFT_WARN_MS = 200;
const DRIFT_FAIL_MS = 1000;
const LATENCY_WARN_MS = 500;

/**
 * The config's exchange (or simulator): reachable, its round trip, and our clock against its server
 * time. One attempt with a short timeout: the doctor answers in seconds.
 */
export async function exchangeChecks(config: Config, env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  const { marketDataFor, measureClockDrift } = await import('@mjolnir/lib/exchange');
  const quick: Config = { ...config, fetch: { timeout_ms: 3000, attempts: 1 } };
  const source = marketDataFor(quick, { env });
  const where =
    config.simulator === undefined
      ? config.exchange
      : `the simulator on ${config.simulator.host}:${config.simulator.port}`;
  try {
    const drift = await measureClockDrift(source, systemClock);
    if (drift === null) return [ok('exchange', `${where} reachable (it offers no server time)`)];
    const rtt = drift.roundTripMs;
    const checks = [
      rtt < LATENCY_WARN_MS
        ? ok('exchange', `${where} reachable, ${rtt.toFixed(0)} ms round trip`)
        : warn(
            'exchange',
            `${where} answers slowly: ${rtt.toFixed(0)} ms round trip (>= ${LATENCY_WARN_MS} ms)`,
            'check the network; fetch.timeout_ms in the config',
          ),
    ];
    if (config.simulator !== undefined && config.simulator.speed !== 1) {
      checks.push(ok('clock', `simulated time at ${config.simulator.speed}x: not compared with this clock`));
      return checks;
    }
    const off = Math.abs(drift.driftMs);
    const figure = `${drift.driftMs >= 0 ? '+' : ''}${drift.driftMs.toFixed(0)} ms against ${where}'s time (± ${(rtt / 2).toFixed(0)} ms)`;
    const fix = 'sudo timedatectl set-ntp true   (or chrony/ntpd; then: mjolnir exchange time)';
    checks.push(
      off >= DRIFT_FAIL_MS
        ? fail('clock', `${figure}: >= ${DRIFT_FAIL_MS} ms`, fix)
        : off >= DRIFT_WARN_MS
          ? warn('clock', `${figure}: >= ${DRIFT_WARN_MS} ms`, fix)
          : ok('clock', figure),
    );
    return checks;
  } catch (error) {
    if (!(error instanceof MjolnirError)) throw error;
    const fix =
      config.simulator === undefined
        ? `check the network and ${config.exchange}'s status page; mjolnir exchange time -c CONFIG`
        : `make sim   (or SIM_PORT=<its port>): nothing answers on ${config.simulator.host}:${config.simulator.port}`;
    return [fail('exchange', `${where} unreachable: [${error.code}] ${error.message.split('\n')[0]}`, fix)];
  } finally {
    await source.close();
  }
}
