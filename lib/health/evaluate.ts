import type { BadLines, EqflatVerdict, TrailingDecision } from '../journal/index.js';
import type { KillSwitch } from '../risk/index.js';
import { isoUtc, type TimeframeLabel, timeframe } from '../time/index.js';
import {
  cadenceCheck,
  decisionsCheck,
  decisionsStale,
  eqflatCheck,
  feedCheck,
  heartbeatCheck,
  journalCheck,
  killSwitchCheck,
  markersCheck,
  rawCheck,
} from './checks.js';
import { streamName } from './gather.js';

export type Verdict = 'OK' | 'WARN' | 'FAIL';

/** One check: its status, the figure it judged, and why in words. */
export interface Check {
  readonly name: string;
  readonly status: Verdict;
  readonly figure: string;
  readonly cause: string;
}

/** The clock a stream is judged by: its venue's when that answers, else this machine's (stated). */
export interface VenueTime {
  readonly now: number;
  readonly source: 'exchange' | 'machine';
  /** Whether the venue answered; null when it was not asked (no venue known). */
  readonly reachable: boolean | null;
  /** How fast the venue's clock runs against this machine's: a simulator's speed, 1 for a real venue. */
  readonly rate: number;
  /** The venue in words (`binance`, `binance at http://127.0.0.1:8123`), for causes. */
  readonly venue: string;
}

/** What is on disk about one LIVE stream (gathered by the host; judged here, purely). */
export interface StreamFacts {
  readonly tag: string;
  readonly symbol: string;
  readonly timeframe: TimeframeLabel;
  /** The clock its slots are judged by. */
  readonly time: VenueTime;
  /** The journal's last rows that read as decisions, oldest first. */
  readonly decisions: readonly TrailingDecision[];
  /** Lines of the journal's tail that do not read as decisions, or null. */
  readonly badLines?: BadLines | null;
  /** The run manifest's first decision (null without a manifest): an empty journal with one was cut. */
  readonly firstDecisionTs?: number | null;
  /** The stream's venue name in the lake (`sim`, `binance`), when known. */
  readonly venueName?: string | null;
  /** Close time of the newest raw bar stored, or null when none. */
  readonly newestRawTs: number | null;
  /** Age of the paper loop's lock file (refreshed every 10 s while it runs), or null without one. */
  readonly lockAgeMs: number | null;
  /** How long the holder has held the lock (its file's birth), or null when unknown. */
  readonly heldForMs?: number | null;
  /** Volumes of the newest raw bars, oldest first (empty when not looked at). */
  readonly recentVolumes?: readonly number[];
  /** The last start's catch-up when it resumed the journal (from the run manifest). */
  readonly restart?: Restart | null;
  /** The last eqflat verdict recorded for the run. */
  readonly eqflat?: EqflatVerdict | 'unreadable' | null;
}

/** Stream facts with the bar length resolved (what the checks read). */
export type JudgedFacts = StreamFacts & { readonly timeframeMs: number };

/** A restart that resumed a journal: the slots it decided by catching up. */
export interface Restart {
  /** When the process started (ISO, the machine's clock). */
  readonly at: string;
  readonly caughtUpToTs: number;
  /** 1: nothing missed to speak of; more: the loop was down for that many bars. */
  readonly caughtUpBars: number;
}

export interface HealthFacts {
  /** When it was judged, by this machine's clock. */
  readonly now: number;
  readonly killSwitch: KillSwitch;
  readonly streams: readonly StreamFacts[];
}

export interface HealthOptions {
  /** Strict: WARN exits 1 (operator mode exits 0 on WARN). */
  readonly strict: boolean;
  /** Bars a decision (or raw bar) may lag the last closed slot before it is stale. */
  readonly graceBars: number;
  /** Clean trailing cadence steps needed after a restart or downtime. */
  readonly cadenceGrace: number;
  /** Trailing rows in which skip markers count as recent. */
  readonly recentRows: number;
  /** A lock not refreshed for this long means no process holds the stream. */
  readonly heartbeatMs: number;
}

export const DEFAULT_HEALTH: HealthOptions = {
  strict: false,
  graceBars: 2,
  cadenceGrace: 12,
  recentRows: 12,
  heartbeatMs: 30_000,
};

export interface StreamHealth {
  readonly stream: string;
  readonly status: Verdict;
  /** Now by the clock it was judged by, and which. */
  readonly now: number;
  readonly clock: 'exchange' | 'machine';
  /** How fast that clock runs against this machine's (a simulator's speed; 1 for a real venue). */
  readonly rate: number;
  readonly checks: readonly Check[];
}

export interface HealthReport {
  readonly status: Verdict;
  readonly mode: 'operator' | 'strict';
  /** When it was judged, by this machine's clock. */
  readonly now: number;
  /** `exchange` when every stream was judged by its venue's clock. */
  readonly clock: 'exchange' | 'machine';
  readonly streams: readonly StreamHealth[];
}

const RANK: Record<Verdict, number> = { OK: 0, WARN: 1, FAIL: 2 };
export const worst = (verdicts: readonly Verdict[]): Verdict =>
  verdicts.reduce<Verdict>((a, b) => (RANK[b] > RANK[a] ? b : a), 'OK');

/** The verdict on one stream. */
export function streamHealth(
  stream: StreamFacts,
  killSwitch: KillSwitch,
  options: HealthOptions,
): StreamHealth {
  const facts: JudgedFacts = { ...stream, timeframeMs: timeframe(stream.timeframe).ms };
  const beat = heartbeatCheck(facts.lockAgeMs, options.heartbeatMs);
  const alive = beat.status === 'OK';
  const decisions = decisionsCheck(facts, options, alive);
  const feed = feedCheck(facts, decisionsStale(facts, options), alive);
  const checks = [
    decisions,
    ...journalCheck(facts.badLines),
    rawCheck(facts, options, alive),
    cadenceCheck(facts.decisions, facts.timeframeMs, options.cadenceGrace, facts.restart ?? null),
    markersCheck(facts.decisions, options),
    beat,
    ...(feed === null ? [] : [feed]),
    ...eqflatCheck(facts.eqflat ?? null),
    killSwitchCheck(killSwitch),
  ];
  return {
    stream: streamName(facts),
    status: worst(checks.map((c) => c.status)),
    now: facts.time.now,
    clock: facts.time.source,
    rate: facts.time.rate,
    checks,
  };
}

/** The verdict on every stream and overall (the worst). */
export function evaluateHealth(facts: HealthFacts, options: HealthOptions = DEFAULT_HEALTH): HealthReport {
  const streams = facts.streams.map((s) => streamHealth(s, facts.killSwitch, options));
  const status = streams.length === 0 ? 'FAIL' : worst(streams.map((s) => s.status));
  const clock = streams.length > 0 && streams.every((s) => s.clock === 'exchange') ? 'exchange' : 'machine';
  return { status, mode: options.strict ? 'strict' : 'operator', now: facts.now, clock, streams };
}

/** docs/contracts.md: 0 OK, 1 WARN in strict mode only (operator mode: 0), 2 FAIL. */
export function healthExitCode(report: HealthReport): 0 | 1 | 2 {
  if (report.status === 'FAIL') return 2;
  return report.status === 'WARN' && report.mode === 'strict' ? 1 : 0;
}

/** The report for a terminal: one line per stream and per check, and the clock each was judged by. */
export function formatHealth(report: HealthReport): string {
  const lines = [`health ${report.status} (${report.mode} mode, ${isoUtc(report.now)})`];
  if (report.streams.length === 0) lines.push('  no LIVE streams found under the data root');
  for (const stream of report.streams) {
    const clock = stream.clock === 'exchange' ? "the venue's clock" : "this machine's clock";
    lines.push(`${stream.stream}: ${stream.status} (judged by ${clock}, ${isoUtc(stream.now)})`);
    for (const c of stream.checks)
      lines.push(`  ${c.status.padEnd(4)} ${c.name.padEnd(11)} ${c.figure}  (${c.cause})`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The verdict on one line, for logs (ops/cron_heartbeat.sh): the status, then each stream with the
 * checks that are not OK, `STATUS stream: check figure; ...`.
 */
export function healthLine(report: HealthReport): string {
  if (report.streams.length === 0) return `${report.status} no LIVE streams under the data root`;
  const streams = report.streams.map((s) => {
    const bad = s.checks.filter((c) => c.status !== 'OK').map((c) => `${c.name} ${c.figure}`);
    return bad.length === 0 ? s.stream : `${s.stream}: ${bad.join('; ')}`;
  });
  return `${report.status} ${streams.join(' | ')}`;
}
