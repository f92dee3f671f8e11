import type { Reason } from '../engine/index.js';
import type { EqflatVerdict, TrailingDecision } from '../journal/index.js';
import type { KillSwitch } from '../risk/index.js';
import { isoUtc, type TimeframeLabel, timeframe } from '../time/index.js';
import { streamName } from './gather.js';

export type Verdict = 'OK' | 'WARN' | 'FAIL';

/** One check: its status, the figure it judged, and why in words. */
export interface Check {
  readonly name: string;
  readonly status: Verdict;
  readonly figure: string;
  readonly cause: string;
}

/** What is on disk about one LIVE stream (gathered by the host; judged here, purely). */
export interface StreamFacts {
  readonly tag: string;
  readonly symbol: string;
  readonly timeframe: TimeframeLabel;
  /** The journal's last rows, oldest first. */
  readonly decisions: readonly TrailingDecision[];
  /** Close time of the newest raw bar stored, or null when none. */
  readonly newestRawTs: number | null;
  /** Age of the paper loop's lock file (refreshed every 10 s while it runs), or null without one. */
  readonly lockAgeMs: number | null;
  /** Volumes of the newest raw bars, oldest first (empty when not looked at). */
  readonly recentVolumes?: readonly number[];
  /** The last start's catch-up when it resumed the journal (from the run manifest). */
  readonly restart?: Restart | null;
  /** The last eqflat verdict recorded for the run. */
  readonly eqflat?: EqflatVerdict | 'unreadable' | null;
}

/** A restart that resumed a journal: the slots it decided by catching up. */
export interface Restart {
  /** When the process started (ISO, the machine's clock). */
  readonly at: string;
  readonly caughtUpToTs: number;
  /** 1: nothing missed to speak of; more: the loop was down for that many bars. */
  readonly caughtUpBars: number;
}

export interface HealthFacts {
  /** Now, by the exchange's clock when reachable, else the injected clock. */
  readonly now: number;
  readonly killSwitch: KillSwitch;
  /** Whether the exchange answered (its time is `now`); null when it was not asked (no config). */
  readonly exchangeReachable: boolean | null;
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

/** Skip reasons that mean the host could not fetch, store or trust a bar. */
export const SKIP_MARKERS: ReadonlySet<Reason> = new Set([
  'fetch_failed',
  'persist_failed',
  'bar_invalid',
  'cadence_failed',
]);

export interface StreamHealth {
  readonly stream: string;
  readonly status: Verdict;
  readonly checks: readonly Check[];
}

export interface HealthReport {
  readonly status: Verdict;
  readonly mode: 'operator' | 'strict';
  readonly now: number;
  readonly streams: readonly StreamHealth[];
}

const RANK: Record<Verdict, number> = { OK: 0, WARN: 1, FAIL: 2 };
export const worst = (verdicts: readonly Verdict[]): Verdict =>
  verdicts.reduce<Verdict>((a, b) => (RANK[b] > RANK[a] ? b : a), 'OK');

const check = (name: string, status: Verdict, figure: string, cause: string): Check => ({
  name,
  status,
  figure,
  cause,
});

/** How far `ts` lags the last slot closed by `now`, judged against the grace. */
function staleness(name: string, what: string, ts: number | null, now: number, tfMs: number, grace: number) {
  const expected = Math.floor(now / tfMs) * tfMs;
  if (ts === null) return check(name, 'FAIL', 'none', `no ${what} yet`);
  const lag = Math.max(0, Math.round((expected - ts) / tfMs));
  const figure = `${lag} bar(s) behind ${isoUtc(expected)}`;
  return lag <= grace
    ? check(name, 'OK', figure, `the last ${what} is ${isoUtc(ts)}`)
    : check(
        name,
        'FAIL',
        figure,
        `the last ${what} is ${isoUtc(ts)}, more than ${grace} bar(s) ago: is the loop running?`,
      );
}

/** Clean steps at the end of the journal: one bar apart, no empty or skipped slot. */
export function cleanTrailingCadence(rows: readonly TrailingDecision[], tfMs: number): number {
  let clean = 0;
  for (let i = rows.length - 1; i > 0; i--) {
    const row = rows[i]!;
    if (row.ts - rows[i - 1]!.ts !== tfMs || row.reason === 'bar_missing' || SKIP_MARKERS.has(row.reason))
      break;
    clean++;
  }
  return clean;
}

function cadence(
  rows: readonly TrailingDecision[],
  tfMs: number,
  grace: number,
  restart: Restart | null,
): Check {
  const clean = cleanTrailingCadence(rows, tfMs);
  const figure = `clean_trailing_cadence_diffs=${clean}/${grace}`;
  if (restart !== null && restart.caughtUpBars > 1) {
    // Slots caught up at a restart were decided late: on-time decisions count from the last of them.
    const onTime = Math.min(clean, rows.filter((r) => r.ts > restart.caughtUpToTs).length);
    if (onTime < grace)
      return check(
        'cadence',
        'WARN',
        `clean_trailing_cadence_diffs=${onTime}/${grace}`,
        `restarted after downtime: ${restart.caughtUpBars} slot(s) caught up to ${isoUtc(restart.caughtUpToTs)}; the count climbs bar by bar`,
      );
  }
  return clean >= grace || clean === rows.length - 1
    ? check('cadence', 'OK', figure, 'decisions one bar apart')
    : check(
        'cadence',
        'WARN',
        figure,
        'a gap or skip recently (restart or downtime): the count climbs bar by bar',
      );
}

function markers(rows: readonly TrailingDecision[], options: HealthOptions): Check {
  const count = (from: number) => {
    const counts = new Map<string, number>();
    for (const row of rows.slice(from))
      if (SKIP_MARKERS.has(row.reason)) counts.set(row.reason, (counts.get(row.reason) ?? 0) + 1);
    return counts;
  };
  const recent = count(Math.max(0, rows.length - options.recentRows));
  const all = count(0);
  const words = (m: Map<string, number>) => [...m].map(([r, n]) => `${r}=${n}`).join(' ') || 'none';
  const persistent =
    rows.length > options.graceBars &&
    rows.slice(-options.graceBars - 1).every((r) => SKIP_MARKERS.has(r.reason));
  if (persistent)
    return check(
      'skips',
      'FAIL',
      words(recent),
      `the last ${options.graceBars + 1} decisions are all skips: the loop records bars but does not trade`,
    );
  if (recent.size > 0)
    return check('skips', 'WARN', words(recent), `skip markers in the last ${options.recentRows} decisions`);
  if (all.size > 0)
    return check(
      'skips',
      'WARN',
      words(all),
      `historical skip markers in the last ${rows.length} decisions (none recent)`,
    );
  return check('skips', 'OK', 'none', `no skip markers in the last ${rows.length} decisions`);
}

function heartbeat(ageMs: number | null, limitMs: number): Check {
  if (ageMs === null) return check('heartbeat', 'FAIL', 'no lock', 'no paper process holds this stream');
  const figure = `lock refreshed ${Math.round(ageMs / 1000)} s ago`;
  return ageMs <= limitMs
    ? check('heartbeat', 'OK', figure, 'a paper process holds the stream')
    : check(
        'heartbeat',
        'FAIL',
        figure,
        `the lock has not been refreshed for over ${limitMs / 1000} s: the process is gone or hung`,
      );
}

/** Zero-volume bars in a row at the end: a market nobody trades, not a feed that stopped. */
const QUIET_BARS = 3;

/**
 * A dead feed told apart from a quiet market and from an unreachable exchange (NautilusTrader #4594):
 * the exchange answering with its clock running while the running loop has no new bar is a dead feed;
 * bars arriving with zero volume are a quiet market.
 */
function feed(
  facts: StreamFacts,
  global: HealthFacts,
  decisionsStale: boolean,
  alive: boolean,
): Check | null {
  if (global.exchangeReachable === null) return null;
  if (!global.exchangeReachable)
    return check(
      'feed',
      'WARN',
      'exchange unreachable',
      "the exchange does not answer: slots are judged by this machine's clock",
    );
  const time = `exchange time ${isoUtc(global.now)}`;
  if (decisionsStale && alive)
    return check(
      'feed',
      'FAIL',
      time,
      'a dead feed: the exchange answers and its clock runs, but the running loop gets no new bars',
    );
  const volumes = facts.recentVolumes ?? [];
  let quiet = 0;
  for (let i = volumes.length - 1; i >= 0 && volumes[i] === 0; i--) quiet++;
  if (quiet >= QUIET_BARS)
    return check(
      'feed',
      'WARN',
      `${quiet} zero-volume bar(s)`,
      'a quiet market: bars arrive, nobody trades (not a dead feed)',
    );
  return check('feed', 'OK', time, 'the exchange answers');
}

/** The last eqflat verdict, when one was recorded: a FAIL warns (LIVE and the backtest disagree). */
function eqflat(verdict: EqflatVerdict | 'unreadable' | null): Check[] {
  if (verdict === null) return [];
  if (verdict === 'unreadable')
    return [check('eqflat', 'WARN', 'unreadable', 'the recorded eqflat verdict is damaged: run make eqflat')];
  const figure = `${verdict.overall ? 'PASS' : 'FAIL'} through ${isoUtc(verdict.through_ts)} (${verdict.run_id})`;
  return verdict.overall
    ? [check('eqflat', 'OK', figure, 'a backtest over the same bars reproduces LIVE')]
    : [
        check(
          'eqflat',
          'WARN',
          figure,
          `LIVE and its backtest differ: ${verdict.first_mismatch ?? 'see make eqflat'}`,
        ),
      ];
}

/** The verdict on one stream. */
export function streamHealth(facts: StreamFacts, global: HealthFacts, options: HealthOptions): StreamHealth {
  const tfMs = timeframe(facts.timeframe).ms;
  const last = facts.decisions.at(-1)?.ts ?? null;
  const decisions = staleness('decisions', 'decision', last, global.now, tfMs, options.graceBars);
  const beat = heartbeat(facts.lockAgeMs, options.heartbeatMs);
  const feedCheck = feed(facts, global, decisions.status === 'FAIL', beat.status === 'OK');
  const checks = [
    decisions,
    staleness('raw', 'raw bar', facts.newestRawTs, global.now, tfMs, options.graceBars),
    cadence(facts.decisions, tfMs, options.cadenceGrace, facts.restart ?? null),
    markers(facts.decisions, options),
    beat,
    ...(feedCheck === null ? [] : [feedCheck]),
    ...eqflat(facts.eqflat ?? null),
    global.killSwitch.killSwitch
      ? check(
          'kill_switch',
          'WARN',
          global.killSwitch.flatten ? 'on (flatten)' : 'on',
          'new entries are refused',
        )
      : check('kill_switch', 'OK', 'off', 'entries allowed'),
  ];
  return {
    stream: streamName(facts),
    status: worst(checks.map((c) => c.status)),
    checks,
  };
}

/** The verdict on every stream and overall (the worst). */
export function evaluateHealth(facts: HealthFacts, options: HealthOptions = DEFAULT_HEALTH): HealthReport {
  const streams = facts.streams.map((s) => streamHealth(s, facts, options));
  const status = streams.length === 0 ? 'FAIL' : worst(streams.map((s) => s.status));
  return { status, mode: options.strict ? 'strict' : 'operator', now: facts.now, streams };
}

/** CONTRACTS.md: 0 OK, 1 WARN in strict mode only (operator mode: 0), 2 FAIL. */
export function healthExitCode(report: HealthReport): 0 | 1 | 2 {
  if (report.status === 'FAIL') return 2;
  return report.status === 'WARN' && report.mode === 'strict' ? 1 : 0;
}

/** The report for a terminal: one line per stream and per check. */
export function formatHealth(report: HealthReport): string {
  const lines = [`health ${report.status} (${report.mode} mode, ${isoUtc(report.now)})`];
  if (report.streams.length === 0) lines.push('  no LIVE streams found under the data root');
  for (const stream of report.streams) {
    lines.push(`${stream.stream}: ${stream.status}`);
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
