import { performance } from 'node:perf_hooks';
import { type Config, MjolnirError, systemClock } from '@mjolnir/lib';
import { type DoctorCheck, fail, ok, warn } from './check.js';

/** Seed 001: "timestamp outside recv window" starts here. */
const DRIFT_WARN_MS = 200;
const DRIFT_FAIL_MS = 1000;
const LATENCY_WARN_MS = 500;

/** Wall time between the two readings of a simulator's clock that measure its speed. */
const SPEED_SAMPLE_MS = 500;

/**
 * A simulator's speed as measured (two readings of its clock), against the config's: the loop paces its
 * polls and its fetch_failed grace by the config's, so a simulator running at another speed is a WARN.
 */
async function simulatorSpeed(
  source: { fetchServerTime(): Promise<number | null> },
  configured: number,
): Promise<DoctorCheck> {
  const first = await source.fetchServerTime();
  const began = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SPEED_SAMPLE_MS));
  const second = await source.fetchServerTime();
  if (first === null || second === null) return ok('clock', `simulated time (configured ${configured}x)`);
  const measured = (second - first) / (performance.now() - began);
  const words = `the simulator runs at ${measured.toFixed(0)}x (measured), the config says ${configured}x`;
  return Math.abs(measured / configured - 1) <= 0.25
    ? ok('clock', `${words}: not compared with this clock`)
    : warn(
        'clock',
        `${words}: the loop would pace its polls and its fetch_failed grace wrongly`,
        `SIM_SPEED=${Math.round(measured)} for the loop, or restart make sim with SIM_SPEED=${configured}`,
      );
}

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
      checks.push(await simulatorSpeed(source, config.simulator.speed));
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
