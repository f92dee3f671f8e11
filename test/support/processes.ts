import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DataLayout,
  type DecisionRow,
  readDecisions,
  readTrades,
  systemClock,
  type TradeRow,
} from '@mjolnir/lib';
import {
  FaultPlan,
  type SimServer,
  type SimVenue,
  SyntheticSource,
  startSimServer,
  VirtualClock,
} from '@mjolnir/lib/sim';
import { onTestFinished } from 'vitest';

/** The repository root and the built CLI (test/global-setup.ts builds it). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');

/** `mjolnir <args>` run to its end from the repository root, with `env` over this process's. */
export function cliRun(args: readonly string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A child process with everything it printed so far. */
export type Spawned = ChildProcess & { output: () => string };

/** Every child still running: killed when its test ends, passed or failed, and when this worker exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Kills `child` and what it started (its process group), unless it has exited. */
function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * Runs a command from the repository root, collecting stdout and stderr together. The child leads a
 * process group of its own (so `make` and what it runs go together) and is killed when the test that
 * started it ends: a failed test never leaves a paper loop running.
 */
export function start(command: string, args: readonly string[], env: Record<string, string> = {}): Spawned {
  // Paper processes serve HTTP on a free port (two at once must not collide on the default).
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, HTTP_PORT: '0', ...env },
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  try {
    onTestFinished(() => killTree(child));
  } catch {
    // Started outside a test (a hook): the exit handler above still kills it.
  }
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(child, { output: () => output });
}

/** `mjolnir paper -c <config>` over a data root. */
export function paper(config: string, dataRoot: string, env: Record<string, string> = {}): Spawned {
  return start(process.execPath, [CLI, 'paper', '-c', config], { DATA_ROOT: dataRoot, ...env });
}

/** The exit code (null when killed by a signal). */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', (code) => resolve(code)),
  );

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `child` has printed `text` (a log line: the event a test should wait for). */
export function printed(child: Spawned, text: string): Promise<void> {
  return waitFor(() => child.output().includes(text), `"${text}" in the output`, child);
}

/** A paper process's HTTP address, read from its start line (it serves on a free port in tests). */
export async function servedUrl(child: Spawned): Promise<string> {
  await printed(child, 'Trading system starting');
  const url = /"http":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(child.output())?.[1];
  if (url === undefined) throw new Error(`no HTTP address in the start line:\n${child.output()}`);
  return url;
}

/** Waits until the simulator's clock has moved `bars` bars of `barMs` on from now (downtime, by its clock). */
export function simulatedTimePasses(sim: SimServer, bars: number, barMs = 300_000): Promise<void> {
  const until = sim.clock.now() + bars * barMs;
  return waitFor(() => sim.clock.now() >= until, `${bars} simulated bars`);
}

/** A stream's decisions.csv, read through the read side. */
export function decisions(
  root: string,
  tag: string,
  symbol = 'BTC/USDT',
): (DecisionRow & { line: number })[] {
  return readDecisions(new DataLayout(root).decisions(tag, symbol, '5m')).rows();
}

/** A stream's trades.csv, read through the read side. */
export function trades(root: string, tag: string, symbol = 'BTC/USDT'): (TradeRow & { line: number })[] {
  return readTrades(new DataLayout(root).trades(tag, symbol, '5m')).rows;
}

/** The simulator in this process on a free port, its clock running `speed` times real time from `start`. */
export function acceleratedSim(
  start: number,
  speed: number,
  seed: number,
  venue: SimVenue = 'binance',
): Promise<SimServer> {
  const symbol = venue === 'coinbase' ? 'BTC/USD' : 'BTC/USDT';
  return startSimServer({
    clock: new VirtualClock(start, speed, systemClock),
    markets: { [symbol]: new SyntheticSource(start - 30 * 86_400_000, seed, symbol) },
    faults: new FaultPlan(),
    venue,
  });
}

/**
 * A config for a paper loop against a simulator on `port` at 300x (a 5m bar a second): EMA cross on
 * BTC/USDT 5m under `tag`, short fetch timeouts.
 */
export function writeSimConfig(path: string, port: number, tag: string, attempts = 2): void {
  writeFileSync(
    path,
    `exchange: binance
symbols: [BTC/USDT]
timeframe: 5m
data_tag: ${tag}
simulator: { port: ${port}, speed: 300 }
strategy: { id: ema_cross_atr, params: { fast: 3, slow: 8, atr_period: 5 } }
fetch: { timeout_ms: 1000, attempts: ${attempts} }
paper: { history_bars: 60 }
`,
  );
}

/**
 * Polls `done` every 100 ms for up to two minutes (a journal not yet written counts as not done);
 * fails early, with its output, when `child` exits meanwhile.
 */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  what: string,
  child?: Spawned,
): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 100) {
    try {
      if (await done()) return;
    } catch {
      // not written yet
    }
    if (child !== undefined && child.exitCode !== null)
      throw new Error(`exited (${child.exitCode}) before ${what}:\n${child.output()}`);
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${child === undefined ? '' : `:\n${child.output()}`}`);
}
