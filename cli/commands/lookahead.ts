import { loadConfig, MjolnirError, previewSpecOf } from '@mjolnir/lib';
import { checkLookahead, evenCuts } from '@mjolnir/lib/backtest';
import { EXIT } from '../errors.js';
import { num } from '../format.js';
import type { CliIo } from '../io.js';
import { dataRoot, openLake, windowOf } from '../options.js';
import { streamOf } from './backtest.js';

export type LookaheadCliOptions = {
  config: string;
  start?: number;
  end?: number;
  cuts: number;
  dataRoot?: string;
};

/** `mjolnir lookahead`: decisions on data cut at many points against the full run. */
export async function lookahead(options: LookaheadCliOptions, io: CliIo): Promise<void> {
  const { start, end } = windowOf(options);
  const config = loadConfig(options.config, io.env);
  const stream = streamOf(config);
  const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
  try {
    const series = await lake.read(stream, start, end);
    if (series.length < 2)
      throw new MjolnirError('input_invalid', `the lake has ${series.length} bars in the window`);
    const report = checkLookahead(() => previewSpecOf(config), series, evenCuts(series.length, options.cuts));
    io.stdout.write(
      `lookahead: ${config.strategy.id} over ${num(series.length)} bars, ${report.cuts.length} cuts, ${num(report.compared)} decisions compared\n`,
    );
    if (report.violation === null) {
      io.stdout.write('PASS: every decision up to each cut equals the full run\n');
      return;
    }
    const v = report.violation;
    io.stdout.write(
      `FAIL: cut at bar ${v.cut}, bar ${v.index} (ts_ms ${v.ts}) decided differently\n  full:      ${v.full}\n  truncated: ${v.truncated}\n`,
    );
    io.setExitCode(EXIT.failed);
  } finally {
    lake.close();
  }
}
