import { existsSync } from 'node:fs';
import { z } from 'zod';
import { MjolnirError } from '../core/index.js';
import { readJson } from './live-manifest.js';

/**
 * A backtest's `runs/<RUNID>/manifest.json`: written by runBacktest (typed by this schema) and read
 * back through it (explain, tools), so both sides mean the same fields.
 */
const backtestManifestSchema = z.object({
  kind: z.literal('backtest'),
  run_id: z.string(),
  /** The journals' tag: `<tag>_bt_<RUNID>`. */
  tag: z.string(),
  /** The LIVE tag whose slots (host skips, kill switch) it replayed, or null. */
  live_tag: z.string().nullable(),
  stream: z.object({ exchange: z.string(), symbol: z.string(), timeframe: z.string() }),
  created_at: z.string(),
  code_version: z.string(),
  spec: z.string(),
  config: z.record(z.string(), z.unknown()),
  strategy_file: z.record(z.string(), z.unknown()).nullable(),
  window: z.object({ start_ts_ms: z.number(), end_ts_ms: z.number() }),
  decided: z.object({
    first_ts_ms: z.number(),
    last_ts_ms: z.number(),
    slots: z.number(),
    slots_after_data: z.number(),
  }),
  warnings: z.array(z.string()),
  /** Where the engine was first fed: a LIVE run's warmup_from to reproduce it. */
  warmup: z.object({
    from_ts_ms: z.number(),
    bars: z.number(),
    declared_stable_bars: z.number(),
    proven: z.boolean(),
  }),
  input: z.object({
    lake: z.string(),
    bars: z.number(),
    first_ts_ms: z.number(),
    last_ts_ms: z.number(),
    sha256: z.string(),
  }),
  outputs: z.object({
    decisions: z.string(),
    trades: z.string(),
    decision_rows: z.number(),
    equity_curve: z.string(),
    format_threads: z.number(),
  }),
  open_position_at_end: z.object({ side: z.number(), entry_ts_ms: z.number() }).nullable(),
  metrics: z.record(z.string(), z.unknown()),
  timings: z.object({ load_ms: z.number(), run_ms: z.number(), total_ms: z.number() }),
  status: z.literal('ok'),
});

export type BacktestManifest = z.infer<typeof backtestManifestSchema>;

/** A backtest's manifest: missing is an operator's error, one that does not read as a manifest is named with why. */
export function readBacktestManifest(path: string): BacktestManifest {
  if (!existsSync(path)) throw new MjolnirError('input_invalid', `no backtest manifest ${path}`);
  const parsed = backtestManifestSchema.safeParse(readJson(path, 'a backtest manifest'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MjolnirError(
      'state_corrupt',
      `${path}: not a backtest manifest (${issue.path.join('.') || 'top level'}: ${issue.message})`,
    );
  }
  return parsed.data;
}
