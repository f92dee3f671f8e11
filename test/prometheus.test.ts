/**
 * Prometheus for real (Debian's `prometheus` and `promtool`): the shipped scrape config and alert
 * rules are valid and each rule passes its unit test; a paper process's /metrics is clean for
 * `promtool check metrics`; a Prometheus on loopback, run on the shipped config pointed at that
 * process, scrapes it (`up == 1`) and holds `mjolnir_decisions_total` equal to the journal's rows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  decisions,
  paper,
  ROOT,
  servedUrl,
  start,
  waitFor,
  writeSimConfig,
} from './support/processes.js';

const DIR = join(ROOT, 'ops', 'prometheus');
const work = mkdtempSync(join(tmpdir(), 'mjolnir-prometheus-'));
let sim: SimServer;

beforeAll(async () => {
  sim = await acceleratedSim(Date.UTC(2024, 6, 1), 300, 31);
});
afterAll(async () => {
  await sim.close();
});

const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });

/** A port nobody listens on now (Prometheus is told it; it cannot pick one itself and say which). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One instant query against Prometheus's HTTP API: the samples' values by their labels. */
async function query(api: string, promql: string, time?: number) {
  const url = new URL('/api/v1/query', api);
  url.searchParams.set('query', promql);
  if (time !== undefined) url.searchParams.set('time', String(time));
  const body = (await (await fetch(url)).json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return body.data.result.map((r) => ({ labels: r.metric, at: r.value[0], value: Number(r.value[1]) }));
}

describe('Prometheus', () => {
  it('the shipped config and rules are valid, and every alert rule passes its unit test', () => {
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config.status, config.stdout + config.stderr).toBe(0);
    expect(config.stdout).toContain('SUCCESS: 8 rules found');
    const rules = promtool('test', 'rules', 'alerts.test.yml');
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    expect(rules.stdout).toContain('SUCCESS');
  });

  it('scrapes a paper process: promtool finds nothing to say of /metrics, up is 1, decisions equal the journal', async () => {
    const config = join(work, 'scraped.yaml');
    writeSimConfig(config, sim.port, 'scraped');
    const root = join(work, 'data');
    const live = paper(config, root, { HEALTH_GRACE_BARS: '20' });
    const url = await servedUrl(live);
    await waitFor(() => decisions(root, 'scraped').length >= 3, 'three decisions', live);

    const text = await (await fetch(`${url}/metrics`)).text();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);

    // The shipped config, pointed at this process, scraped every second.
    const shipped = readFileSync(join(DIR, 'prometheus.yml'), 'utf8');
    const target = new URL(url).host;
    const promConfig = join(work, 'prometheus.yml');
    writeFileSync(
      promConfig,
      shipped
        .replace('"127.0.0.1:8080"', `"${target}"`)
        .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
        .replace('- alerts.yml', `- ${join(DIR, 'alerts.yml')}`),
    );
    expect(readFileSync(promConfig, 'utf8')).toContain(target);
    const listen = `127.0.0.1:${await freePort()}`;
    const prometheus = start('prometheus', [
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${join(work, 'tsdb')}`,
      `--web.listen-address=${listen}`,
    ]);
    const api = `http://${listen}`;
    await waitFor(
      async () => (await query(api, 'up{job="mjolnir-paper"}')).some((s) => s.value === 1),
      'Prometheus to scrape the paper process',
      prometheus,
    );
    // One scrape is consistent: the decisions it counted are the journal's rows up to the slot it says.
    const [counted] = await query(api, 'sum(mjolnir_decisions_total{job="mjolnir-paper"})');
    const [slot] = await query(api, 'mjolnir_last_decided_slot_timestamp_seconds', counted!.at);
    const rows = decisions(root, 'scraped').filter((r) => r.ts_ms <= slot!.value * 1000);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(counted!.value).toBe(rows.length);
    // The health gauges the rules use are there, from the process's own verdict.
    const checks = await query(api, 'mjolnir_health_check_status{check="decisions"}');
    expect(checks.map((c) => c.labels['stream'])).toEqual(['scraped BTC/USDT 5m']);
    live.kill('SIGTERM');
    prometheus.kill('SIGTERM');
  }, 120_000);
});
