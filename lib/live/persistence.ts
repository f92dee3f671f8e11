import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MjolnirError } from '../core/index.js';
import type { LiveManifest } from '../journal/index.js';
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

export function writeManifest(path: string, manifest: LiveManifest): void {
  writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
