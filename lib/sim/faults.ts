import { z } from 'zod';
import { Random } from '../market/index.js';

/** A fault the simulator can inject into one response. */
export const FAULT_KINDS = [
  'rate_limit',
  'server_error',
  'timeout',
  'malformed',
  'duplicate',
  'out_of_order',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const probability = z.number().min(0).max(1).default(0);

/** Fault injection settings (the `faults:` section of a simulator config, or set by tests). */
export const faultSchema = z.strictObject({
  seed: z.number().int().default(1),
  /** Per-request probabilities of each response fault. */
  rate_limit: probability,
  server_error: probability,
  timeout: probability,
  malformed: probability,
  /** Per-klines-response probabilities. */
  duplicate: probability,
  out_of_order: probability,
  /** Fraction of bar slots the exchange never has (the same slots on every request). */
  missing: probability,
  /** How long a timed-out request hangs before the connection is dropped. */
  timeout_ms: z.number().int().positive().default(15_000),
  /** A dead feed: from this virtual time (ms) no new bar is served while the clock runs on. */
  feed_stall_at: z.number().nullable().default(null),
  /** A quiet market: bars opening from this virtual time (ms) have no trades (zero volume, flat price). */
  quiet_from: z.number().nullable().default(null),
  /** From virtual time `at` (ms), the server clock reads `offset_ms` off. */
  time_jump: z.strictObject({ at: z.number(), offset_ms: z.number() }).nullable().default(null),
});

export type FaultConfig = z.infer<typeof faultSchema>;

/** No faults at all. */
export const NO_FAULTS: FaultConfig = faultSchema.parse({});

const hashUnit = (seed: number, text: string): number => {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
  return ((h ^ (h >>> 13)) >>> 0) / 4294967296;
};

/**
 * Decides faults deterministically: a scripted queue first (tests say exactly what happens next),
 * then the configured probabilities drawn from a seeded stream, one draw per request.
 */
export class FaultPlan {
  private config: FaultConfig;
  private random: Random;
  private readonly script: FaultKind[] = [];
  readonly injected: Record<FaultKind, number> = {
    rate_limit: 0,
    server_error: 0,
    timeout: 0,
    malformed: 0,
    duplicate: 0,
    out_of_order: 0,
  };

  constructor(config: FaultConfig = NO_FAULTS) {
    this.config = config;
    this.random = new Random(config.seed);
  }

  get settings(): FaultConfig {
    return this.config;
  }

  /** Replaces the settings (and restarts the random stream). */
  configure(config: Partial<FaultConfig>): void {
    this.config = faultSchema.parse({ ...this.config, ...config });
    this.random = new Random(this.config.seed);
  }

  /** Makes the next klines requests fail with these faults, in order (other requests are left alone). */
  enqueue(...faults: FaultKind[]): void {
    this.script.push(...faults);
  }

  /** The fault for the next request, or null. `klines` says whether data faults can apply. */
  next(klines: boolean): FaultKind | null {
    const scripted = this.script[0];
    if (scripted !== undefined && klines) {
      this.script.shift();
      this.injected[scripted]++;
      return scripted;
    }
    const draw = this.random.uniform();
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      if (!klines && (kind === 'duplicate' || kind === 'out_of_order')) continue;
      edge += this.config[kind];
      if (draw < edge) {
        this.injected[kind]++;
        return kind;
      }
    }
    return null;
  }

  /** The klines as a dead feed or a quiet market would serve them (unchanged without those faults). */
  shape<K extends { openTime: number; open: number; volume: number }>(rows: K[]): K[] {
    const { feed_stall_at: stall, quiet_from: quiet } = this.config;
    const served = stall === null ? rows : rows.filter((k) => k.openTime < stall);
    if (quiet === null) return served;
    return served.map((k) =>
      k.openTime < quiet ? k : { ...k, high: k.open, low: k.open, close: k.open, volume: 0, trades: 0 },
    );
  }

  /** True when the exchange never has this bar (stable across requests). */
  lacks(symbol: string, interval: string, openTime: number): boolean {
    return (
      this.config.missing > 0 &&
      hashUnit(this.config.seed, `${symbol}|${interval}|${openTime}`) < this.config.missing
    );
  }

  /** The server clock's offset at virtual time `now`. */
  timeOffset(now: number): number {
    const jump = this.config.time_jump;
    return jump !== null && now >= jump.at ? jump.offset_ms : 0;
  }

  /** A draw in [0, 1) for choosing how to corrupt a response. */
  pick(): number {
    return this.random.uniform();
  }
}
