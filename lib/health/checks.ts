import type { BadLines, EqflatVerdict, TrailingDecision } from '../journal/index.js';
import type { KillSwitch } from '../risk/index.js';
import { isoUtc } from '../time/index.js';
import type { Check, HealthOptions, JudgedFacts, Restart, VenueTime, Verdict } from './evaluate.js';
import { SKIP_MARKERS } from './markers.js';

const check = (name: string, status: Verdict, figure: string, cause: string): Check => ({
  name,
  status,
  figure,
  cause,
});

/** How long a process may hold a new stream without a first bar before that is a finding, not a start. */
const STARTING_MS = 120_000;

/**
 * A new stream (no decision ever) whose process holds it: starting while it has held it briefly or for
 * an unknown time; past `STARTING_MS` without a bar, its fetches fail.
 */
function starting(facts: JudgedFacts): 'starting' | 'stuck' {
  return facts.heldForMs !== undefined && facts.heldForMs !== null && facts.heldForMs > STARTING_MS
    ? 'stuck'
    : 'starting';
}

/** Wall time the venue's clock may read behind a decision before it is "ahead": a reading's latency. */
const AHEAD_TOLERANCE_WALL_MS = 2_000;

/**
 * Whether a clock can judge slots: the venue's own, or this machine's standing in for a real venue
 * (rate 1). A simulator's clock is unknown when it does not answer.
 */
export const judgesSlots = (source: VenueTime['source'], rate: number): boolean =>
  source === 'exchange' || rate === 1;
const judgeable = (time: VenueTime): boolean => judgesSlots(time.source, time.rate);

/** How far `ts` lags the last slot `time` has closed, in bars, and that slot. */
function lagOf(ts: number, time: VenueTime, tfMs: number) {
  const expected = Math.floor(time.now / tfMs) * tfMs;
  const lag = Math.max(0, Math.round((expected - ts) / tfMs));
  return { expected, lag, figure: `${lag} bar(s) behind ${isoUtc(expected)}` };
}

/** A simulator's clock read by nobody: what the staleness checks say instead of a figure. */
function notJudged(name: string, time: VenueTime): Check {
  return check(
    name,
    'WARN',
    'not judged',
    `the venue ${time.venue} does not answer and runs its own clock (${time.rate}x): staleness cannot be judged by this machine's clock`,
  );
}

/** Whether the newest decision lags the venue's last closed slot past the grace (ahead is not stale). */
export function decisionsStale(facts: JudgedFacts, options: HealthOptions): boolean {
  const last = facts.decisions.at(-1)?.ts;
  return (
    last !== undefined &&
    judgeable(facts.time) &&
    lagOf(last, facts.time, facts.timeframeMs).lag > options.graceBars
  );
}

/** The newest decision against the last slot the venue's clock has closed: stale, on time, or ahead. */
export function decisionsCheck(facts: JudgedFacts, options: HealthOptions, alive: boolean): Check {
  const last = facts.decisions.at(-1)?.ts ?? null;
  if (last === null) {
    if (facts.firstDecisionTs !== undefined && facts.firstDecisionTs !== null)
      return check(
        'decisions',
        'FAIL',
        'empty journal',
        `the journal has no decision but its run began deciding at ${isoUtc(facts.firstDecisionTs)}: was it cut or replaced?`,
      );
    if (!alive)
      return check('decisions', 'FAIL', 'none', 'no decision yet, and no paper process holds the stream');
    return starting(facts) === 'starting'
      ? check('decisions', 'WARN', 'none', 'no decision yet: the loop is starting (warmup, history)')
      : check(
          'decisions',
          'FAIL',
          'none',
          `no decision ${heldWords(facts)}: its first fetch does not succeed (see the log's "Fetch failing")`,
        );
  }
  const time = facts.time;
  if (!judgeable(time)) return notJudged('decisions', time);
  const tfMs = facts.timeframeMs;
  const { expected, lag, figure } = lagOf(last, time, tfMs);
  const tolerance = Math.max(tfMs, AHEAD_TOLERANCE_WALL_MS * time.rate);
  if (last > expected + tolerance)
    return check(
      'decisions',
      'FAIL',
      `${Math.round((last - expected) / tfMs)} bar(s) ahead of ${isoUtc(expected)}`,
      `the last decision is ${isoUtc(last)}, after the last slot ${clockName(time)} has closed: decided against another venue (a simulator restarted or another one), or a clock that went back`,
    );
  if (lag <= options.graceBars)
    return check('decisions', 'OK', figure, `the last decision is ${isoUtc(last)}`);
  return check(
    'decisions',
    'FAIL',
    figure,
    alive
      ? `the last decision is ${isoUtc(last)}, more than ${options.graceBars} bar(s) ago, while a paper process holds the stream: it gets no bars (see feed)`
      : `the last decision is ${isoUtc(last)}, more than ${options.graceBars} bar(s) ago, and no paper process holds the stream: start it (make paper, or the paper service)`,
  );
}

const heldWords = (facts: JudgedFacts) =>
  `though a paper process has held the stream for ${Math.round((facts.heldForMs ?? 0) / 1000)} s`;

const clockName = (time: VenueTime) =>
  time.source === 'exchange' ? `the venue's clock (${time.venue})` : "this machine's clock";

/** The newest raw bar in the lake against the venue's last closed slot. */
export function rawCheck(facts: JudgedFacts, options: HealthOptions, alive: boolean): Check {
  const ts = facts.newestRawTs;
  if (ts === null) {
    const decided = facts.decisions.length > 0 || (facts.firstDecisionTs ?? null) !== null;
    if (decided)
      return check(
        'raw',
        'FAIL',
        'none',
        `no raw bar in the lake for ${facts.venueName ?? 'this venue'} ${facts.symbol} ${facts.timeframe}, though the stream has decided: the lake was moved or cleared`,
      );
    if (alive && starting(facts) === 'starting')
      return check('raw', 'WARN', 'none', 'no raw bar yet: the loop is starting');
    return check(
      'raw',
      'FAIL',
      'none',
      alive ? `no raw bar ${heldWords(facts)}` : 'no raw bar yet, and no paper process holds the stream',
    );
  }
  if (!judgeable(facts.time)) return notJudged('raw', facts.time);
  const { lag, figure } = lagOf(ts, facts.time, facts.timeframeMs);
  return lag <= options.graceBars
    ? check('raw', 'OK', figure, `the newest raw bar closes ${isoUtc(ts)}`)
    : check(
        'raw',
        'FAIL',
        figure,
        `the newest raw bar closes ${isoUtc(ts)}, more than ${options.graceBars} bar(s) ago: ${alive ? 'bars are not being stored (see feed, skips)' : 'no paper process fetches them'}`,
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

/** Clean trailing steps against the count needed (the figure stops at its target). */
export function cadenceCheck(
  rows: readonly TrailingDecision[],
  tfMs: number,
  grace: number,
  restart: Restart | null,
): Check {
  const clean = cleanTrailingCadence(rows, tfMs);
  const figure = (n: number) => `clean_trailing_cadence_diffs=${Math.min(n, grace)}/${grace}`;
  if (restart !== null && restart.caughtUpBars > 1) {
    // Slots caught up at a restart were decided late: on-time decisions count from the last of them.
    const onTime = Math.min(clean, rows.filter((r) => r.ts > restart.caughtUpToTs).length);
    if (onTime < grace)
      return check(
        'cadence',
        'WARN',
        figure(onTime),
        `restarted after downtime: ${restart.caughtUpBars} slot(s) caught up to ${isoUtc(restart.caughtUpToTs)}; the count climbs bar by bar`,
      );
  }
  return clean >= grace || clean === rows.length - 1
    ? check('cadence', 'OK', figure(clean), 'decisions one bar apart')
    : check(
        'cadence',
        'WARN',
        figure(clean),
        'a gap or skip recently (restart or downtime): the count climbs bar by bar',
      );
}

/** What a run of skips of one kind means, for the operator. */
const PERSISTENT_CAUSE: Record<string, string> = {
  fetch_failed: 'the exchange delivers no bars (fetches fail: see the log\'s "Fetch failing" lines)',
  persist_failed: 'bars arrive but cannot be stored (disk full, read-only, or locked: see "Persist failing")',
  bar_invalid: 'the exchange delivers bars that fail validation',
  cadence_failed: 'every bar follows a hole in the data',
};

export function markersCheck(rows: readonly TrailingDecision[], options: HealthOptions): Check {
  const count = (from: number) => {
    const counts = new Map<string, number>();
    for (const row of rows.slice(from))
      if (SKIP_MARKERS.has(row.reason)) counts.set(row.reason, (counts.get(row.reason) ?? 0) + 1);
    return counts;
  };
  const recent = count(Math.max(0, rows.length - options.recentRows));
  const all = count(0);
  const words = (m: Map<string, number>) => [...m].map(([r, n]) => `${r}=${n}`).join(' ') || 'none';
  const tail = rows.slice(-options.graceBars - 1);
  if (rows.length > options.graceBars && tail.every((r) => SKIP_MARKERS.has(r.reason))) {
    const kinds = [...new Set(tail.map((r) => r.reason))];
    const why = kinds.map((k) => PERSISTENT_CAUSE[k] ?? k).join('; ');
    return check('skips', 'FAIL', words(recent), `the last ${tail.length} decisions are all skips: ${why}`);
  }
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

export function heartbeatCheck(ageMs: number | null, limitMs: number): Check {
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
export function feedCheck(facts: JudgedFacts, decisionsStale: boolean, alive: boolean): Check | null {
  const time = facts.time;
  if (time.reachable === null) return null;
  if (!time.reachable)
    return check(
      'feed',
      'WARN',
      'venue unreachable',
      time.source === 'exchange'
        ? `the venue ${time.venue} does not answer: its clock is carried on from the last reading`
        : judgeable(time)
          ? `the venue ${time.venue} does not answer: slots are judged by this machine's clock`
          : `the venue ${time.venue} does not answer`,
    );
  const figure = `venue time ${isoUtc(time.now)}`;
  if (decisionsStale && alive)
    return check(
      'feed',
      'FAIL',
      figure,
      'a dead feed: the venue answers and its clock runs, but the running loop gets no new bars',
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
  return check('feed', 'OK', figure, 'the venue answers');
}

/** Lines of the journal's tail that do not read as decisions: FAIL (eq and the read side refuse the file). */
export function journalCheck(bad: BadLines | null | undefined): Check[] {
  if (bad === null || bad === undefined) return [];
  return [
    check(
      'journal',
      'FAIL',
      `${bad.count} bad line(s)`,
      `${bad.last.why} (the good rows are judged; eq and the read side refuse the file: repair or move the line)`,
    ),
  ];
}

/** The last eqflat verdict, when one was recorded: a FAIL warns (LIVE and the backtest disagree). */
export function eqflatCheck(verdict: EqflatVerdict | 'unreadable' | null): Check[] {
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

export function killSwitchCheck(killSwitch: KillSwitch): Check {
  return killSwitch.killSwitch
    ? check('kill_switch', 'WARN', killSwitch.flatten ? 'on (flatten)' : 'on', 'new entries are refused')
    : check('kill_switch', 'OK', 'off', 'entries allowed');
}
