import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, REASONS, StepOutput } from '../engine/index.js';
import { decisionConstants } from '../journal/index.js';
import type { MutableBar } from '../market/index.js';
import { Random } from '../market/index.js';
import { type DecisionOutput, InlineOutput, ThreadedOutput } from './decision-output.js';
import { formatWorkerCounts } from './format-pool.js';
import { OutputFile } from './output-file.js';

const STREAM = { exchange: 'sim', symbol: 'ETH/USDT', timeframe: '1m' };
const root = mkdtempSync(join(tmpdir(), 'mjolnir-output-'));

/** Rows of every shape: with and without a bar, NaN and odd numbers, sizes that change, days that turn. */
function rows(count: number) {
  const random = new Random(11);
  const out = [];
  let ts = Date.UTC(2024, 0, 1, 23, 0);
  for (let i = 0; i < count; i++) {
    ts += 60_000 * (1 + random.int(3));
    const price = Math.round((2000 + 100 * random.normal()) * 100) / 100;
    const withBar = random.uniform() > 0.1;
    const bar: MutableBar | null = withBar
      ? ({
          ts,
          open: price,
          high: price + 1.5,
          low: price - 0.25,
          close: price,
          volume: random.uniform() * 10,
        } as MutableBar)
      : null;
    const held = (i >> 4) % 3;
    out.push({
      ts,
      action: random.int(ACTIONS.length),
      reason: random.int(REASONS.length),
      side: held - 1,
      close: withBar ? price : Number.NaN,
      stop: held === 1 ? Number.NaN : 1900 + (i >> 4) / 3,
      qty: held === 1 ? 0 : 0.5 / (1 + (i >> 4)),
      fill: random.uniform() < 0.05 ? price * 1.0001 : Number.NaN,
      equity: 10_000 + random.normal() * 1e-3 - (i === 7 ? 1e9 : 0),
      bar,
    });
  }
  return out;
}

describe('decision outputs', () => {
  it('write the same bytes whether formatted inline or on worker threads and here, batches in order', async () => {
    const files = [
      OutputFile.create(join(root, 'inline.csv')),
      OutputFile.create(join(root, 'threaded.csv')),
    ];
    const [inlineFile, threadedFile] = files as [OutputFile, OutputFile];
    const constants = decisionConstants(STREAM, { id: 'ema_cross_atr' }, 'abc123');
    const inline = new InlineOutput(inlineFile, constants);
    const threaded = new ThreadedOutput({ constants }, 3, 7).into(threadedFile);
    try {
      const all = rows(5_000);
      const out = new StepOutput();
      for (const [i, r] of all.entries()) {
        out.ts = r.ts;
        out.action = r.action;
        out.reason = r.reason;
        out.side = r.side as -1 | 0 | 1;
        out.close = r.close;
        out.stop = r.stop;
        out.qty = r.qty;
        out.fillPrice = r.fill;
        out.equity = r.equity;
        out.gapSide = r.side as -1 | 0 | 1;
        out.gapStop = r.stop;
        out.gapQty = r.qty;
        for (const output of [inline, threaded]) {
          // Every ninth row an empty slot before it, as the engine reports them.
          if (i % 9 === 0) output.missing(r.ts - 1, out);
          output.decided(out, r.bar, '');
        }
        if (i % 500 === 0) await threaded.drain();
      }
      await inline.finish();
      await threaded.finish();
      // Workers hold two batches each; between drains the rest were formatted on this thread.
      expect(threaded.batches.workers).toBeGreaterThan(0);
      expect(threaded.batches.here).toBeGreaterThan(0);
      expect(threaded.batches.workers + threaded.batches.here).toBe(Math.ceil((5_000 + 556) / 7));
    } finally {
      await threaded.close();
    }
    for (const file of files) await file.commit();
    const written = readFileSync(join(root, 'threaded.csv'), 'latin1');
    expect(written).toBe(readFileSync(join(root, 'inline.csv'), 'latin1'));
    const lines = written.split('\n');
    expect(lines).toHaveLength(5_000 + 556 + 1);
    expect(new Set(lines.slice(0, -1).map((line) => line.split(',').length))).toEqual(new Set([18]));
    // One row checked field by field against the row it came from.
    const first = rows(1)[0]!;
    const cells = lines[1]!.split(',');
    expect(cells.slice(0, 7)).toEqual([
      'sim',
      'ETH/USDT',
      '1m',
      String(first.ts),
      ACTIONS[first.action],
      REASONS[first.reason],
      ['short', 'flat', 'long'][first.side + 1],
    ]);
    expect(cells[17]).toBe(new Date(first.ts).toISOString());
  });

  it('give their warm workers to the next run, which formats its own stream with them', async () => {
    const other = { exchange: 'sim2', symbol: 'BTC/USDT', timeframe: '5m' };
    /** Writes rows through `fromCells` (the backtest's common row) and `decided` alternately. */
    const feed = async (output: DecisionOutput) => {
      const out = new StepOutput();
      for (const [i, r] of rows(2_000).entries()) {
        if (r.bar !== null && i % 2 === 0) {
          output.cells.set([r.ts, r.close, r.stop, r.qty, r.fill, r.equity]);
          output.fromCells(r.action, r.reason, r.side, r.bar);
          continue;
        }
        Object.assign(out, { ts: r.ts, action: r.action, reason: r.reason, side: r.side, close: r.close });
        Object.assign(out, { stop: r.stop, qty: r.qty, fillPrice: r.fill, equity: r.equity });
        output.decided(out, r.bar, '');
        if (i % 300 === 0) await output.drain();
      }
      await output.finish();
    };
    const runOn = async (name: string, stream: typeof STREAM, spec: string) => {
      const file = OutputFile.create(join(root, name));
      const constants = decisionConstants(stream, { id: 'sma_cross', modelId: '5eed5eed5eed5eed' }, spec);
      const threaded = new ThreadedOutput({ constants }, 2, 7).into(file);
      try {
        await feed(threaded);
      } finally {
        await threaded.close();
      }
      await file.commit();
      const inlineFile = OutputFile.create(join(root, `inline-${name}`));
      await feed(new InlineOutput(inlineFile, constants));
      await inlineFile.commit();
      expect(readFileSync(join(root, name), 'latin1')).toBe(
        readFileSync(join(root, `inline-${name}`), 'latin1'),
      );
    };
    await runOn('first.csv', STREAM, 'abc123');
    const afterFirst = formatWorkerCounts();
    expect(afterFirst.idle).toBeGreaterThanOrEqual(2);
    await runOn('second.csv', other, 'def456');
    // The second run started no thread, and wrote its own stream's and spec's lines.
    expect(formatWorkerCounts()).toEqual(afterFirst);
    const line = readFileSync(join(root, 'second.csv'), 'latin1').split('\n')[0]!.split(',');
    expect([line[0], line[1], line[2], line[14], line[15], line[16]]).toEqual([
      'sim2',
      'BTC/USDT',
      '5m',
      'sma_cross',
      '5eed5eed5eed5eed',
      'def456',
    ]);
  });
});
