import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MjolnirError } from '../core/index.js';

/** Where a process read its bars and the time: what health asks for the venue's clock. */
const venueSchema = z.object({
  /** The ccxt class (binance, coinbase, ...), whatever the stream's venue name (`sim` for the simulator). */
  exchange: z.string(),
  /** The simulator's base URL, or null for the real exchange. */
  url: z.string().nullable(),
  /** How fast the venue's clock runs against a machine's: a simulator's speed, 1 for a real exchange. */
  rate: z.number().positive(),
});

/** The venue a LIVE process ran against (recorded at each start). */
export type Venue = z.infer<typeof venueSchema>;

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
  starts: z.array(
    z.object({
      at: z.string(),
      pid: z.number(),
      resumed_after_ts: z.number().nullable(),
      /** After a restart: the last slot decided by catching up on bars that closed while it was down. */
      caught_up_to_ts: z.number().optional(),
      /** How many slots that catch-up decided (1: no downtime to speak of). */
      caught_up_bars: z.number().optional(),
      /** The venue this process read from (absent in manifests written before it was recorded). */
      venue: venueSchema.optional(),
    }),
  ),
  status: z.enum(['running', 'stopped']),
});

/** The run manifest of a stream's LIVE run (`runs/live_<tag>_<SYMBOL>_<tf>/manifest.json`). */
export type LiveManifest = z.infer<typeof manifestSchema>;

/** The JSON in `path`; text that is not JSON is a damaged file, named. */
export function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new MjolnirError('state_corrupt', `${path}: not ${what} (invalid JSON: ${error.message})`);
  }
}

export function readManifest(path: string): LiveManifest | null {
  if (!existsSync(path)) return null;
  const parsed = manifestSchema.safeParse(readJson(path, 'a LIVE run manifest'));
  if (!parsed.success) throw new MjolnirError('state_corrupt', `${path}: not a LIVE run manifest`);
  return parsed.data;
}

/** A eqflat verdict recorded beside the LIVE run it judged (`runs/live_.../eqflat.json`). */
const eqflatSchema = z.object({
  at: z.string(),
  run_id: z.string(),
  decisions: z.boolean(),
  trades: z.boolean(),
  overall: z.boolean(),
  /** The last LIVE decision the backtest covered. */
  through_ts: z.number(),
  /** The first mismatch, in words (null on PASS). */
  first_mismatch: z.string().nullable(),
});

export type EqflatVerdict = z.infer<typeof eqflatSchema>;

/** The last eqflat verdict recorded for a LIVE run, or null when none was (a damaged one is reported). */
export function readEqflatVerdict(path: string): EqflatVerdict | null {
  if (!existsSync(path)) return null;
  const parsed = eqflatSchema.safeParse(readJson(path, 'an eqflat verdict'));
  if (!parsed.success) throw new MjolnirError('state_corrupt', `${path}: not an eqflat verdict`);
  return parsed.data;
}
