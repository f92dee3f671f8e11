import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  it('demo: the simulator and the paper loop for a bounded session, one decision per closed bar, then a summary; the README commands after it work as written', () => {
    const root = mkdtempSync(join(tmpdir(), 'mjolnir-demo-'));
    const run = cli(['demo', '--data-root', root, '--speed', '30000']);
    expect(run.code).toBe(0);
    // Exactly the bars asked for, from the same first slot every time (seeded: the same numbers).
    const decided = Number(/decisions\s+(\d+) \(one per closed bar/.exec(run.stdout)?.[1]);
    expect(decided).toBe(200);
    expect(run.stdout).toContain(`${root}/demo/raw/sim/BTC_USDT/5m`);
    const rows = readFileSync(join(root, 'demo/processed/decisions/sim/BTC_USDT/5m/decisions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(rows).toHaveLength(decided);
    const ts = rows.map((row) => Number(row.split(',')[3]));
    expect(ts.every((t, i) => i === 0 || t - ts[i - 1]! === 300_000)).toBe(true);
    // The session ends with eqflat: the backtest over the same bars reproduces it.
    expect(run.stdout).toMatch(/^eqflat: RUNID=demo_eqflat_\d{8}_\d{6}$/m);
    expect(run.stdout).toMatch(/^OVERALL PASS$/m);
    // Then health, judged while the loop still ran.
    expect(run.stdout).toMatch(/^health, judged while the loop ran:\nhealth OK \(operator mode, /m);
    expect(run.stdout).toMatch(/^ {2}OK {3}heartbeat {3}lock refreshed \d+ s ago/m);

    // The README's commands after `make demo`, as written but for the data root (this test's own).
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- after-demo -->\n```bash\n([\s\S]*?)```\n<!-- \/after-demo -->/.exec(readme)?.[1];
    const lines = block!.trim().split('\n');
    expect(lines).toHaveLength(3);
    // The demo prints the same commands at its end.
    for (const line of lines)
      expect(run.stdout).toContain(`  ${line.replaceAll('data/demo', join(root, 'demo'))}`);
    const shell = (line: string) =>
      spawnSync('bash', ['-c', line.replaceAll('data/demo', join(root, 'demo'))], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const backtest = shell(lines[0]!);
    expect(backtest.stderr).not.toContain('warning');
    expect(backtest.status).toBe(0);
    expect(backtest.stdout).toMatch(/^decisions\s+49 -> /m);
    const eqflat = shell(lines[1]!);
    expect(eqflat.status).toBe(0);
    expect(eqflat.stdout).toMatch(/^OVERALL PASS$/m);
    const gaps = shell(lines[2]!);
    expect(gaps.status).toBe(0);
    expect(gaps.stdout).toMatch(/^missing\s+0 in 0 gaps$/m);

    // Seeded means the same session: a second run (a third of the speed) decides the same rows, trades the same.
    const again = mkdtempSync(join(tmpdir(), 'mjolnir-demo-again-'));
    const second = cli(['demo', '--data-root', again, '--speed', '10000']);
    expect(second.code).toBe(0);
    const journal = (dir: string) =>
      readFileSync(join(dir, 'demo/processed/decisions/sim/BTC_USDT/5m/decisions.csv'), 'utf8');
    expect(journal(again)).toBe(journal(root));
    const tradesLine = (out: string) => /^trades .*$/m.exec(out)?.[0];
    expect(tradesLine(second.stdout)).toBe(tradesLine(run.stdout));

    // A directory that is not the demo's own is never cleared.
    const foreign = mkdtempSync(join(tmpdir(), 'mjolnir-foreign-'));
    writeFileSync(join(foreign, 'x'), '');
    mkdirSync(join(foreign, 'demo'));
    writeFileSync(join(foreign, 'demo', 'precious.csv'), 'keep me');
    const refused = cli(['demo', '--bars', '5', '--data-root', foreign]);
    expect(refused.code).toBe(2);
    expect(readFileSync(join(foreign, 'demo', 'precious.csv'), 'utf8')).toBe('keep me');
  });

  it('demo VENUE=coinbase: the default stream (Coinbase BTC/USD 5m) against the simulator speaking Coinbase, eqflat PASS, health OK', () => {
    const root = mkdtempSync(join(tmpdir(), 'mjolnir-demo-cb-'));
    const run = cli(['demo', '--data-root', root, '--speed', '30000', '--bars', '100'], {
      VENUE: 'coinbase',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Mjölnir demo: the simulated exchange (Coinbase API on http://127.0.0.1:');
    expect(run.stdout).toMatch(/decisions\s+100 \(one per closed bar/);
    expect(run.stdout).toContain(`${root}/demo/raw/sim/BTC_USD/5m`);
    expect(run.stdout).toMatch(/^OVERALL PASS$/m);
    expect(run.stdout).toMatch(/^health OK \(operator mode, /m);
    expect(run.stdout).toContain(`DATA_ROOT=${root}/demo CONFIG=configs/sim-coinbase.yaml make eqflat`);
    const mismatch = cli(['demo', '--data-root', root, '-c', 'configs/sim.yaml'], { VENUE: 'coinbase' });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('VENUE=coinbase but configs/sim.yaml trades on binance');
  });

  it('engine runs the engine over generated bars and prints a summary with one decision per bar', () => {
    const run = cli(['engine', '--bars', '3000', '--seed', '9']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ema_cross_atr on coinbase BTC/USD 5m');
    expect(run.stdout).toMatch(/decisions\s+3,000\s+\(one per closed bar\)/);
  });

  it('engine --json gives one machine-readable object whose counts add up', () => {
    const run = cli(['engine', '--bars', '2000', '--json']);
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
    // Every shipped config (make config-check), the training one included.
    const shipped = readdirSync(join(ROOT, 'configs'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `configs/${f}`);
    expect(shipped).toContain('configs/train-sim.yaml');
    const good = cli(['config', 'check', ...shipped]);
    expect(good.code, good.stderr).toBe(0);
    for (const file of shipped) expect(good.stdout).toContain(`${file}: ok`);
    expect(good.stdout).toContain('strategy model_classifier  trains a model for it (mjolnir train)');
    const refused = cli(['config', 'check', 'configs/default.yaml', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}:13:15: strategy.params.atr_mult = -1: expected a number > 0`);
  });

  it('a bad config for engine is an operator error (exit 2), as is bad usage; --help exits 0', () => {
    expect(cli(['engine'], { SYMBOL: 'nonsense' }).code).toBe(2);
    expect(cli(['engine', '--bars', 'many']).code).toBe(2);
    expect(cli(['no-such-command']).code).toBe(2);
    const help = cli(['engine', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--bars <count>');
  });
});
