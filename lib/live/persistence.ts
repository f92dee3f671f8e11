import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MjolnirError } from '../core/index.js';
import { writeFileAtomic } from '../store/index.js';

const snapshotSchema = z.object({
  format: z.literal('mjolnir.live-state'),
  version: z.literal(1),
  /** ts_ms of the last journal row the engine state includes. */
  journalLastTs: z.number(),
  engine: z.string(),
});

/** The paper loop's durable engine state, written after the journal rows it includes. */
export type LiveSnapshot = z.infer<typeof snapshotSchema>;

/** Writes a snapshot atomically (readers see the old one or the new one). */
export function writeSnapshot(path: string, journalLastTs: number, engineState: string): void {
  const snapshot: LiveSnapshot = {
    format: 'mjolnir.live-state',
    version: 1,
    journalLastTs,
    engine: engineState,
  };
  writeFileAtomic(path, `${JSON.stringify(snapshot)}\n`);
}

/** Reads a snapshot, or null when there is none; a damaged one is an operator error. */
export function readSnapshot(path: string): LiveSnapshot | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MjolnirError('state_corrupt', `${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) throw new MjolnirError('state_corrupt', `${path}: not a paper-loop state snapshot`);
  return parsed.data;
}

const manifestSchema = z.object({
  kind: z.literal('live'),
  run_id: z.string(),
  tag: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  spec: z.string(),
  config: z.record(z.string(), z.unknown()),
  /** Close of the first bar the engine was fed: where a backtest must start its warmup to match. */
  warmup_from: z.number(),
  /** Close of the first bar decided (the first row of decisions.csv). */
  first_decision_ts: z.number(),
  starts: z.array(z.object({ at: z.string(), pid: z.number(), resumed_after_ts: z.number().nullable() })),
  status: z.enum(['running', 'stopped']),
});

/** The run manifest of a stream's LIVE run (`runs/live_<tag>_<SYMBOL>_<tf>/manifest.json`). */
export type LiveManifest = z.infer<typeof manifestSchema>;

export function readManifest(path: string): LiveManifest | null {
  if (!existsSync(path)) return null;
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new MjolnirError('state_corrupt', `${path}: not a LIVE run manifest`);
  return parsed.data;
}

export function writeManifest(path: string, manifest: LiveManifest): void {
  writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
