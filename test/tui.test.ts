/**
 * The dashboard end to end in a real terminal (tmux): the simulator, a paper loop and `mjolnir tui`;
 * the screen read with capture-pane shows decisions advancing and the health verdict, in colour; a
 * resize re-lays it out; `q` exits 0. With NO_COLOR it draws no colour at all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimServer } from '@mjolnir/lib/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceleratedSim,
  CLI,
  decisions,
  exited,
  paper,
  ROOT,
  waitFor,
  writeSimConfig,
} from './support/processes.js';

const START = Date.UTC(2024, 6, 1);
const work = mkdtempSync(join(tmpdir(), 'mjolnir-tui-'));
const root = join(work, 'data');
const config = join(work, 'dash.yaml');
const SOCKET = `mjolnir-test-${process.pid}`;
let sim: SimServer;

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = (session: string, escapes = false) =>
  tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);

/** `mjolnir tui` in a detached tmux session of `width` x `height`; its exit code goes to a file. */
function dashboard(session: string, width: number, height: number, env: Record<string, string> = {}) {
  const exitFile = join(work, `${session}.exit`);
  // A grace of 20 bars (20 s at 300x) for the verdict: a loaded machine may hold the loop back a bar or two.
  const vars = Object.entries({ DATA_ROOT: root, HEALTH_GRACE_BARS: '20', ...env }).map(
    ([k, v]) => `${k}=${v}`,
  );
  // Ink draws only a final frame when it believes it runs in CI: the terminal here is a real one.
  const command = `cd ${ROOT} && env -u CI -u CONTINUOUS_INTEGRATION ${vars.join(' ')} ${process.execPath} ${CLI} tui -c ${config}; echo $? > ${exitFile}`;
  tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), command);
  return exitFile;
}

/** Colour escapes (SGR foreground: 30-37, 90-97, 256/true colour) in a capture-pane -e screen. */
const ESC = String.fromCharCode(27);
const colours = (text: string) =>
  text.split(`${ESC}[`).filter((p) => /^(3[0-7]|9[0-7]|38;)[;\dm]/.test(p)).length;

const lastDecisionTime = (text: string) =>
  /Last decision[\s\S]*?(\d{4}-\d\d-\d\d \d\d:\d\dZ)/.exec(text)?.[1];

beforeAll(async () => {
  sim = await acceleratedSim(START, 300, 21);
  writeSimConfig(config, sim.port, 'dash');
});
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  await sim.close();
});

describe('mjolnir tui in a real terminal', () => {
  it('shows decisions advancing and the health verdict, re-lays out on resize, and q exits 0', async () => {
    const live = paper(config, root);
    await waitFor(() => decisions(root, 'dash').length >= 3, 'three decisions', live);
    const exitFile = dashboard('dash', 80, 24);
    let first = '';
    await waitFor(() => {
      first = screen('dash');
      return first.includes('Health OK') && lastDecisionTime(first) !== undefined;
    }, 'the dashboard with a verdict');
    expect(first.split('\n').length).toBeLessThanOrEqual(25);
    expect(first).toContain('Mjölnir paper · dash BTC/USDT 5m');
    // Two columns at 80: the health panel beside the last decision.
    expect(first.split('\n').find((l) => l.includes('Last decision'))).toContain('Health OK');
    const seen = lastDecisionTime(first)!;
    await waitFor(() => {
      const now = lastDecisionTime(screen('dash'));
      return now !== undefined && now > seen;
    }, 'a later decision on screen');
    expect(colours(screen('dash', true))).toBeGreaterThan(0);

    tmux('resize-window', '-t', 'dash', '-x', '60', '-y', '44');
    await waitFor(() => {
      const lines = screen('dash').split('\n');
      const trades = lines.findIndex((l) => l.includes('Latest trades'));
      const health = lines.findIndex((l) => l.includes('Health OK'));
      return trades >= 0 && health > trades && lines.every((l) => l.length <= 60);
    }, 'one column at 60 wide');

    tmux('send-keys', '-t', 'dash', 'q');
    await waitFor(() => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 'the exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');

    const plain = dashboard('plain', 80, 24, { NO_COLOR: '1' });
    let text = '';
    await waitFor(() => {
      text = screen('plain', true);
      return text.includes('Health OK');
    }, 'the dashboard under NO_COLOR');
    expect(colours(text)).toBe(0);
    tmux('send-keys', '-t', 'plain', 'q');
    await waitFor(() => existsSync(plain) && readFileSync(plain, 'utf8').trim() === '0', 'the exit');

    live.kill('SIGTERM');
    expect(await exited(live)).toBe(0);
  }, 90_000);
});
