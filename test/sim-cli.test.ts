/**
 * `make sim` as an operator leaves it running: quiet by default, a summary line a minute (here every
 * 300 ms) with the requests by endpoint; `SIM_VERBOSE=1` a line per request.
 */
import { describe, expect, it } from 'vitest';
import { CLI, printed, start, waitFor } from './support/processes.js';

/** The simulator with `env`, its address once it listens. */
async function simWith(env: Record<string, string>) {
  const child = start(process.execPath, [CLI, 'sim', '--port', '0', '--speed', '60'], env);
  await printed(child, 'listening on');
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output())![1]!;
  return { child, url };
}

describe('mjolnir sim', () => {
  it('is quiet by default: no line per request, a summary of them every SIM_SUMMARY_MS', async () => {
    const { child, url } = await simWith({ SIM_SUMMARY_MS: '300' });
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/api/v3/time`)).status).toBe(200);
    // The three may straddle two summaries: what the summaries count adds up to them.
    const counted = () =>
      [...child.output().matchAll(/: (\d+) request\(s\)/g)].reduce((a, m) => a + Number(m[1]), 0);
    await waitFor(() => counted() >= 3, 'three requests summarised', child);
    expect(counted()).toBe(3);
    expect(child.output()).not.toContain('GET /api/v3/time');
    expect(child.output()).toMatch(
      /virtual \S+: \d request\(s\) \(\/api\/v3\/time \d\), 0 fault\(s\) injected/,
    );
    child.kill('SIGTERM');
  });

  it("speaks Coinbase's API with VENUE=coinbase (BTC/USD and ETH/USD), and refuses a venue it does not", async () => {
    const { child, url } = await simWith({ VENUE: 'coinbase' });
    expect(child.output()).toContain('(coinbase API), BTC/USD, ETH/USD');
    const time = (await (await fetch(`${url}/api/v3/brokerage/time`)).json()) as { epochMillis: string };
    expect(Number(time.epochMillis)).toBeGreaterThan(0);
    const products = (await (await fetch(`${url}/api/v3/brokerage/market/products`)).json()) as {
      products: { product_id: string }[];
    };
    expect(products.products.map((p) => p.product_id)).toEqual(['BTC-USD', 'ETH-USD']);
    expect((await fetch(`${url}/api/v3/klines`)).status).toBe(404);
    child.kill('SIGTERM');
    const wrong = start(process.execPath, [CLI, 'sim', '--port', '0'], { VENUE: 'kraken' });
    await waitFor(() => wrong.exitCode !== null, 'the refusal');
    expect(wrong.exitCode).toBe(2);
    expect(wrong.output()).toContain('expected binance or coinbase, got "kraken"');
  });

  it('logs every request with SIM_VERBOSE=1', async () => {
    const { child, url } = await simWith({ SIM_VERBOSE: '1', SIM_SUMMARY_MS: '300' });
    await fetch(`${url}/api/v3/time`);
    await printed(child, 'GET /api/v3/time');
    expect(child.output()).not.toContain('request(s)');
    child.kill('SIGTERM');
  });
});
