import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import {
  appendDecisions,
  emptyRoot,
  healthOf,
  rowsOf,
  STREAM,
  sourcesOver,
  twoStreams,
} from '../../test-support/fixtures.js';
import { App } from './app.js';

const ESC = '\u001b[';

/** Waits (polling, up to 5 s) until the last frame satisfies `done`. */
async function frameWhere(lastFrame: () => string | undefined, done: (frame: string) => boolean) {
  for (let i = 0; i < 250; i++) {
    const frame = lastFrame() ?? '';
    if (done(frame)) return frame;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no such frame; the last:\n${lastFrame()}`);
}

const minute = (ts: number) => new Date(ts).toISOString().slice(0, 16).replace('T', ' ');

describe('the dashboard (ink-testing-library)', () => {
  it('shows the waiting screen, then the journal as it grows, with the health verdict', async () => {
    const root = emptyRoot();
    const rows = rowsOf(400);
    const now = rows.at(-1)!.ts_ms;
    const sources = sourcesOver(
      root,
      () => [STREAM],
      now,
      () => healthOf(now, { 'sim BTC/USDT 5m': { status: 'OK' } }),
    );
    const { lastFrame, unmount } = render(<App sources={sources} colour={false} pollMs={20} healthMs={50} />);
    expect(lastFrame()).toContain('waiting for sim BTC/USDT 5m: no decisions journal yet');
    appendDecisions(root, STREAM, rows.slice(0, 200));
    await frameWhere(lastFrame, (f) => f.includes(`${minute(rows[199]!.ts_ms)}Z  ${rows[199]!.action}`));
    appendDecisions(root, STREAM, rows.slice(200));
    const frame = await frameWhere(lastFrame, (f) => f.includes(`${minute(rows.at(-1)!.ts_ms)}Z`));
    expect(frame).toContain('Health OK');
    expect(frame).toContain('Last decision');
    expect(frame).toContain('Equity');
    expect(frame).toContain('Skips and cadence');
    expect(frame).not.toContain(ESC);
    unmount();
  });

  it('switches streams with tab and the arrows, toggles the help, and quits on q', async () => {
    const { root, sources } = twoStreams();
    const { lastFrame, stdin, frames } = render(
      <App sources={sources} colour={false} pollMs={20} healthMs={50} />,
    );
    await frameWhere(lastFrame, (f) => f.includes('▸ sim BTC/USDT 5m'));
    // A key written before the input hook is listening is lost: press until the frame moves.
    const press = async (key: string, done: (f: string) => boolean) => {
      for (let i = 0; i < 50 && !done(lastFrame() ?? ''); i++) {
        stdin.write(key);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      return frameWhere(lastFrame, done);
    };
    const other = await press('\t', (f) => f.includes('▸ alt ETH/USDT 5m'));
    expect(other).toContain('Mjölnir paper · alt ETH/USDT 5m');
    expect(other).toContain('FAIL decisions 0 bar(s) behind: stale');
    await press('\u001b[D', (f) => f.includes('▸ sim BTC/USDT 5m')); // left arrow
    const help = await press('?', (f) => f.includes('q             quit'));
    expect(help).not.toContain('Last decision');
    await press('x', (f) => f.includes('Last decision'));
    stdin.write('q');
    const count = frames.length;
    appendDecisions(root, STREAM, rowsOf(60).slice(50));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(frames.length).toBe(count); // unmounted: nothing drawn after q
  });
});
