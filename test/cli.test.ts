import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mjolnir CLI (the built binary, as operators run it)', () => {
  it('demo runs the engine on the embedded default and prints a summary with one decision per bar', () => {
    const run = cli(['demo', '--bars', '3000', '--seed', '9']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ema_cross_atr on coinbase BTC/USD 5m');
    expect(run.stdout).toMatch(/decisions\s+3,000\s+\(one per closed bar\)/);
  });

  it('demo --json gives one machine-readable object whose counts add up', () => {
    const run = cli(['demo', '--bars', '2000', '--json']);
    const summary = JSON.parse(run.stdout) as {
      bars: number;
      decisions: number;
      reasons: Record<string, number>;
    };
    expect(summary.decisions).toBe(2000);
    expect(Object.values(summary.reasons).reduce((a, b) => a + b, 0)).toBe(2000);
  });

  it('config check passes good files and fails bad ones with exit 2 and file:line messages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjolnir-cli-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(join(ROOT, 'configs/default.yaml'), 'utf8').replace('atr_mult: 2.0', 'atr_mult: -1'),
    );
    const good = cli(['config', 'check', 'configs/default.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('configs/default.yaml: ok');
    const refused = cli(['config', 'check', 'configs/default.yaml', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}:13:15: strategy.params.atr_mult = -1: expected a number > 0`);
  });

  it('a bad config for demo is an operator error (exit 2), as is bad usage; --help exits 0', () => {
    expect(cli(['demo'], { SYMBOL: 'nonsense' }).code).toBe(2);
    expect(cli(['demo', '--bars', 'many']).code).toBe(2);
    expect(cli(['no-such-command']).code).toBe(2);
    const help = cli(['demo', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--bars <count>');
  });
});
