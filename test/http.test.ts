/**
 * The paper process's HTTP face against the simulator: /livez, /health (200 OK/WARN, 503 FAIL, the
 * recorded eqflat verdict in it), /metrics scraped over real HTTP, parsed as Prometheus text by a
 * parser of the test's own, its counters agreeing with the journal; a busy port refused clearly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HealthReport } from '@mjolnir/lib';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  CLI,
  decisions,
  exited,
  paper,
  servedUrl,
  start,
  waitFor,
  writeSimConfig,
} from './support/processes.js';
import { parsePrometheus, samplesOf } from './support/prometheus.js';

const START = Date.UTC(2024, 5, 1);
const work = mkdtempSync(join(tmpdir(), 'mjolnir-http-'));
const root = join(work, 'data');
const config = join(work, 'served.yaml');
/** Streams are named by tag, symbol and timeframe, in metrics as in health. */
const STREAM = 'served BTC/USDT 5m';
let sim: SimServer;

beforeAll(async () => {
  sim = await acceleratedSim(START, 300, 11);
  writeSimConfig(config, sim.port, 'served');
});
afterAll(async () => {
  await sim.close();
});

type Served = HealthReport & { age_ms: number | null; cause?: string };

const healthOf = async (url: string) => {
  const response = await fetch(`${url}/health`);
  return { status: response.status, report: (await response.json()) as Served };
};

/** `/health` once the process's kept verdict satisfies `until` (it judges every couple of seconds). */
async function healthWhen(url: string, until: (report: Served) => boolean, child: ReturnType<typeof paper>) {
  let last: Awaited<ReturnType<typeof healthOf>> | null = null;
  await waitFor(
    async () => {
      last = await healthOf(url);
      return until(last.report);
    },
    'the kept health verdict',
    child,
  );
  return last!;
}

describe('HTTP on the paper process', () => {
  it('serves /livez, /health and /metrics; the counters agree with the journal', async () => {
    // A grace of 20 bars (20 s at 300x): a loaded machine may hold the loop back a bar or two.
    const live = paper(config, root, { HEALTH_GRACE_BARS: '20' });
    const url = await servedUrl(live);
    await waitFor(() => decisions(root, 'served').length >= 6, 'six decisions', live);

    // The log keeps pino's own time; the bar's time is a key of its own (it overwrote `time` before).
    const recorded = live
      .output()
      .split('\n')
      .filter((l) => l.includes('"Decision recorded"'))
      .map((l) => JSON.parse(l) as { time: string; bar_time: string; ts_ms: number });
    expect(recorded.length).toBeGreaterThan(0);
    for (const line of recorded) {
      expect(Math.abs(Date.parse(line.time) - Date.now())).toBeLessThan(600_000);
      expect(line.bar_time).toBe(new Date(line.ts_ms).toISOString());
    }

    const livez = await fetch(`${url}/livez`);
    expect([livez.status, await livez.text()]).toEqual([200, 'ok\n']);

    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const metrics = parsePrometheus(await scrape.text());
    expect(metrics.samples.every((s) => s.name.startsWith('mjolnir_'))).toBe(true);
    expect(metrics.types.get('mjolnir_decisions_total')).toBe('counter');
    expect(metrics.types.get('mjolnir_decision_latency_seconds')).toBe('histogram');
    expect(metrics.types.get('mjolnir_nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(metrics.types.get('mjolnir_nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(metrics.types.has('mjolnir_nodejs_gc_duration_seconds')).toBe(true);
    expect(metrics.types.get('mjolnir_fetch_errors_total')).toBe('counter');

    // The scrape is consistent: every row up to the last decided slot, and only those, is counted.
    const last = samplesOf(metrics, 'mjolnir_last_decided_slot_timestamp_seconds', { stream: STREAM })[0]!;
    const rows = decisions(root, 'served').filter((r) => r.ts_ms <= last.value * 1000);
    expect(rows.at(-1)!.ts_ms).toBe(last.value * 1000);
    const journalCounts = new Map<string, number>();
    for (const r of rows)
      journalCounts.set(`${r.action}/${r.reason}`, (journalCounts.get(`${r.action}/${r.reason}`) ?? 0) + 1);
    const counted = new Map(
      samplesOf(metrics, 'mjolnir_decisions_total', { stream: STREAM }).map((s) => [
        `${s.labels['action']}/${s.labels['reason']}`,
        s.value,
      ]),
    );
    expect(counted).toEqual(journalCounts);
    const latencyCount = samplesOf(metrics, 'mjolnir_decision_latency_seconds_count', { stream: STREAM })[0]!;
    expect(latencyCount.value).toBe(rows.length);
    // The journal writes 8 decimals; the gauge keeps the engine's double.
    expect(samplesOf(metrics, 'mjolnir_equity', { stream: STREAM })[0]!.value).toBeCloseTo(
      rows.at(-1)!.equity,
      7,
    );
    const position = { flat: 0, long: 1, short: -1 }[rows.at(-1)!.position];
    expect(samplesOf(metrics, 'mjolnir_position', { stream: STREAM })[0]!.value).toBe(position);
    expect(samplesOf(metrics, 'mjolnir_kill_switch')[0]!.value).toBe(0);
    expect(samplesOf(metrics, 'mjolnir_persist_failures_total', { stream: STREAM })[0]!.value).toBe(0);
    expect(
      samplesOf(metrics, 'mjolnir_bar_age_seconds', { stream: STREAM })[0]!.value,
    ).toBeGreaterThanOrEqual(0);

    const { status, report } = await healthWhen(url, (r) => r.status === 'OK', live);
    expect(status).toBe(200);
    expect(report).toMatchObject({ status: 'OK', clock: 'exchange' });
    // The verdict the process keeps, with its age: made every couple of seconds, not on the request.
    expect(report.age_ms).toBeGreaterThanOrEqual(0);
    expect(report.age_ms).toBeLessThan(30_000);
    // What the cron heartbeat reads: that verdict, on one line (no second evaluation).
    const line = start(process.execPath, [CLI, 'health', '--line', '--url', url]);
    expect(await exited(line)).toBe(0);
    expect(line.output()).toMatch(/^OK served BTC\/USDT 5m\n$/);
    const nobody = start(process.execPath, [CLI, 'health', '--line', '--url', 'http://127.0.0.1:1']);
    expect(await exited(nobody)).toBe(2);
    expect(nobody.output()).toMatch(/^FAIL no paper process answers at http:\/\/127\.0\.0\.1:1\/health/);
    expect(report.streams[0]!.stream).toBe(STREAM);
    expect(report.streams[0]!.checks.map((c) => c.name)).not.toContain('eqflat');

    // eqflat records its verdict beside the LIVE run; /health shows it.
    const eq = start(process.execPath, [CLI, 'eqflat', '-c', config], { DATA_ROOT: root });
    expect(await exited(eq)).toBe(0);
    const withEq = await healthWhen(
      url,
      (r) => r.streams[0]?.checks.some((c) => c.name === 'eqflat') === true,
      live,
    );
    const after = withEq.report.streams[0]!.checks.find((c) => c.name === 'eqflat');
    expect(after).toMatchObject({
      status: 'OK',
      figure: expect.stringMatching(/^PASS through \S+ \(eqflat_/),
    });

    expect((await fetch(`${url}/nothing`)).status).toBe(404);
    const post = await fetch(`${url}/health`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    // A 64 kB header is answered 431, not a reset connection.
    expect((await fetch(`${url}/health`, { headers: { 'x-big': 'x'.repeat(65_536) } })).status).toBe(431);
    expect((await fetch(`${url}/livez`)).status).toBe(200);

    // A second process asking for the same port stops before it starts, saying why.
    const port = new URL(url).port;
    const clash = paper(config, join(work, 'other'), { HTTP_PORT: port });
    expect(await exited(clash)).toBe(2);
    expect(clash.output()).toContain(`cannot serve HTTP on 127.0.0.1:${port} (EADDRINUSE)`);

    live.kill('SIGTERM');
    expect(await exited(live)).toBe(0);
  }, 90_000);

  it('a dead feed under a running loop turns /health to 503 FAIL', async () => {
    const root = join(work, 'stalled');
    const live = paper(config, root);
    const url = await servedUrl(live);
    const held = (r: Served) =>
      r.streams[0]?.checks.some((c) => c.name === 'heartbeat' && c.status === 'OK') === true;
    await healthWhen(url, held, live);
    await waitFor(() => decisions(root, 'served').length >= 3, 'three decisions', live);
    try {
      sim.faults.configure({ feed_stall_at: sim.clock.now() });
      const { status, report } = await healthWhen(url, (r) => r.status === 'FAIL', live);
      expect(status).toBe(503);
      const checks = Object.fromEntries(report.streams[0]!.checks.map((c) => [c.name, c.status]));
      expect(checks).toMatchObject({ decisions: 'FAIL', feed: 'FAIL', heartbeat: 'OK' });
    } finally {
      sim.faults.configure({ feed_stall_at: null });
    }
    live.kill('SIGTERM');
    expect(await exited(live)).toBe(0);
  }, 60_000);
});
