import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Reason } from '../engine/index.js';
import { DECISION_COLUMNS, type TrailingDecision, trailingDecisions } from '../journal/index.js';
import {
  DEFAULT_HEALTH,
  evaluateHealth,
  formatHealth,
  type HealthFacts,
  healthExitCode,
  healthLine,
  type StreamFacts,
  type VenueTime,
} from './index.js';

const BAR = 300_000;
const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const LAST = Math.floor(NOW / BAR) * BAR;

/** `count` decisions one bar apart ending at `last`, with reasons overridden by position from the end. */
function rows(count: number, last = LAST, reasons: Record<number, Reason> = {}): TrailingDecision[] {
  return Array.from({ length: count }, (_, i) => ({
    ts: last - (count - 1 - i) * BAR,
    reason: reasons[count - 1 - i] ?? 'no_signal',
    exchange: 'sim',
  }));
}

/** A venue answering (true), not answering (false) or not asked (null), at NOW, running at `rate`. */
const venueTime = (reachable: boolean | null, rate = 1, now = NOW): VenueTime =>
  reachable === true
    ? { now, source: 'exchange', reachable, rate, venue: 'binance at http://127.0.0.1:1' }
    : { now, source: 'machine', reachable, rate, venue: 'binance at http://127.0.0.1:1' };

function facts(
  stream: Partial<StreamFacts> = {},
  killSwitch = { killSwitch: false, flatten: false },
  exchangeReachable: boolean | null = null,
): HealthFacts {
  const decisions = stream.decisions ?? rows(100);
  return {
    now: NOW,
    killSwitch,
    streams: [
      {
        tag: 'sim',
        symbol: 'BTC/USDT',
        timeframe: '5m',
        time: venueTime(exchangeReachable),
        decisions,
        newestRawTs: decisions.at(-1)?.ts ?? null,
        lockAgeMs: 4_000,
        ...stream,
      },
    ],
  };
}

const verdict = (f: HealthFacts, strict = false) => {
  const report = evaluateHealth(f, { ...DEFAULT_HEALTH, strict });
  const checks = Object.fromEntries(report.streams[0]!.checks.map((c) => [c.name, c.status]));
  return {
    status: report.status,
    code: healthExitCode(report),
    checks,
    text: formatHealth(report),
    line: healthLine(report),
  };
};

describe('health', () => {
  it('is OK for a loop deciding every bar, holding its lock', () => {
    const v = verdict(facts());
    expect(v).toMatchObject({ status: 'OK', code: 0 });
    expect(v.text).toContain('clean_trailing_cadence_diffs=12/12');
  });

  it('FAILs a stopped loop: decisions and raw bars stale, no lock (exit 2 in both modes)', () => {
    const stale = rows(100, LAST - 10 * BAR);
    const v = verdict(facts({ decisions: stale, newestRawTs: LAST - 10 * BAR, lockAgeMs: null }));
    expect(v.checks).toMatchObject({ decisions: 'FAIL', raw: 'FAIL', heartbeat: 'FAIL' });
    expect(v.code).toBe(2);
    expect(v.text).toContain('10 bar(s) behind');
    // Stale raw bars of a stream nobody runs: nobody fetches them (not "not stored").
    expect(v.text).toContain('no paper process fetches them');
    // On one line for the heartbeat log: the status, the stream, the checks that are not OK.
    expect(v.line).toMatch(
      /^FAIL \S+ BTC\/USDT 5m: decisions 10 bar\(s\) behind [^;]+; raw 10 bar\(s\) behind [^;]+; heartbeat /,
    );
    expect(verdict(facts()).line).toMatch(/^OK \S+ BTC\/USDT 5m$/);
    // Within the grace it is not stale; a lock not refreshed for a minute is a hung or dead process.
    expect(
      verdict(facts({ decisions: rows(100, LAST - 2 * BAR), newestRawTs: LAST - 2 * BAR })).checks[
        'decisions'
      ],
    ).toBe('OK');
    expect(verdict(facts({ lockAgeMs: 61_000 })).checks['heartbeat']).toBe('FAIL');
  });

  it('WARNs after a restart over downtime until the trailing cadence is clean for the grace count', () => {
    const gap = (after: number) => [
      ...rows(50, LAST - (after + 6) * BAR),
      ...rows(after, LAST, { [after - 1]: 'cadence_failed' }),
    ];
    const warn = verdict(facts({ decisions: gap(5) }));
    expect(warn).toMatchObject({ status: 'WARN', code: 0 });
    expect(warn.text).toContain('clean_trailing_cadence_diffs=4/12');
    expect(verdict(facts({ decisions: gap(5) }), true).code).toBe(1);
    // The figure stops at its target.
    expect(verdict(facts({ decisions: gap(14) })).text).toContain('clean_trailing_cadence_diffs=12/12');
  });

  it('tells recent skips (WARN) and persistent ones (FAIL: recording but not trading) from historical ones', () => {
    const persistent = verdict(
      facts({ decisions: rows(50, LAST, { 0: 'persist_failed', 1: 'persist_failed', 2: 'persist_failed' }) }),
    );
    expect(persistent.checks['skips']).toBe('FAIL');
    expect(persistent.text).toContain('persist_failed=3');
    expect(verdict(facts({ decisions: rows(50, LAST, { 4: 'fetch_failed' }) })).checks['skips']).toBe('WARN');
    const old = verdict(facts({ decisions: rows(50, LAST, { 30: 'persist_failed' }) }));
    expect(old.checks['skips']).toBe('WARN');
    expect(old.text).toContain('historical skip markers');
  });

  it('WARNs while the kill switch is on, saying whether it flattens', () => {
    const v = verdict(facts({}, { killSwitch: true, flatten: true }));
    expect(v).toMatchObject({ status: 'WARN', code: 0 });
    expect(v.text).toContain('on (flatten)');
  });

  it('FAILs when there is no LIVE stream at all', () => {
    const none = { now: NOW, killSwitch: { killSwitch: false, flatten: false }, streams: [] };
    expect(healthExitCode(evaluateHealth(none))).toBe(2);
  });

  it('tells a dead feed from a quiet market and from an unreachable exchange', () => {
    const stale = { decisions: rows(100, LAST - 10 * BAR), newestRawTs: LAST - 10 * BAR };
    // The exchange answers, its clock runs, the loop is alive: no bars is a dead feed.
    const dead = verdict(facts(stale, undefined, true));
    expect(dead.checks['feed']).toBe('FAIL');
    expect(dead.text).toContain('a dead feed');
    // The loop is gone: staleness and heartbeat say it; the feed is not blamed.
    expect(verdict(facts({ ...stale, lockAgeMs: null }, undefined, true)).checks['feed']).toBe('OK');
    const unreachable = verdict(facts({}, undefined, false));
    expect(unreachable.checks['feed']).toBe('WARN');
    expect(unreachable.text).toContain("does not answer: slots are judged by this machine's clock");
    // In the paper process the loop's own reading is carried on: it says so, not "this machine's clock".
    const carried = facts({}, undefined, false);
    const inProcess = { ...carried.streams[0]!, time: { ...venueTime(true), reachable: false } };
    expect(verdict({ ...carried, streams: [inProcess] }).text).toContain(
      'its clock is carried on from the last reading',
    );
    const quiet = verdict(facts({ recentVolumes: [3, 1, 0, 0, 0, 0] }, undefined, true));
    expect(quiet).toMatchObject({ status: 'WARN', code: 0 });
    expect(quiet.text).toContain('4 zero-volume bar(s)');
    expect(quiet.text).toContain('a quiet market');
    expect(verdict(facts({ recentVolumes: [0, 0, 5] }, undefined, true)).checks['feed']).toBe('OK');
    // Not asked (no config): no feed check at all.
    expect(verdict(facts()).checks['feed']).toBeUndefined();
  });
});

describe('health tells what happened (issue 11/15)', () => {
  it("judges by the venue's clock: a loop stopped while a fast simulator runs on is stale, not OK", () => {
    // The journal ends where the machine's clock would call it current, but the simulator (300x) is
    // 67 bars further: by its clock the loop is far behind.
    const simNow = NOW + 67 * BAR;
    const stopped = facts({ lockAgeMs: null });
    const judged = evaluateHealth({
      ...stopped,
      streams: [{ ...stopped.streams[0]!, time: venueTime(true, 300, simNow) }],
    });
    const decisions = judged.streams[0]!.checks.find((c) => c.name === 'decisions')!;
    expect(decisions.status).toBe('FAIL');
    expect(decisions.figure).toMatch(/^67 bar\(s\) behind/);
    expect(decisions.cause).toContain('no paper process holds the stream');
    expect(judged.streams[0]).toMatchObject({ clock: 'exchange', now: simNow, rate: 300 });
  });

  it("FAILs decisions ahead of the venue's clock (another simulator, a clock gone back), never OK", () => {
    const ahead = facts(
      { decisions: rows(100, LAST + 432 * BAR), newestRawTs: LAST + 432 * BAR },
      undefined,
      true,
    );
    const v = verdict(ahead);
    expect(v.checks['decisions']).toBe('FAIL');
    expect(v.text).toMatch(/432 bar\(s\) ahead of/);
    expect(v.text).toContain('decided against another venue');
    // Ahead is not a dead feed: the venue answers, the loop is simply past its clock.
    expect(v.checks['feed']).toBe('OK');
    // One bar ahead is within a reading's latency, not a finding.
    expect(verdict(facts({ decisions: rows(100, LAST + BAR) }, undefined, true)).checks['decisions']).toBe(
      'OK',
    );
  });

  it("does not judge staleness by this machine's clock when a simulator does not answer", () => {
    const f = facts({ decisions: rows(100, LAST + 900 * BAR) });
    const down = evaluateHealth({ ...f, streams: [{ ...f.streams[0]!, time: venueTime(false, 300) }] });
    const checks = Object.fromEntries(down.streams[0]!.checks.map((c) => [c.name, c]));
    expect(checks['decisions']).toMatchObject({ status: 'WARN', figure: 'not judged' });
    expect(checks['feed']!.cause).toContain('does not answer');
    expect(down.status).toBe('WARN');
  });

  it('names the cause of persistent skips: fetch failures are not "records bars but does not trade"', () => {
    const fetch = verdict(
      facts({ decisions: rows(50, LAST, { 0: 'fetch_failed', 1: 'fetch_failed', 2: 'fetch_failed' }) }),
    );
    expect(fetch.checks['skips']).toBe('FAIL');
    expect(fetch.text).toContain('the exchange delivers no bars');
    expect(fetch.text).not.toContain('records bars');
    const persist = verdict(
      facts({ decisions: rows(50, LAST, { 0: 'persist_failed', 1: 'persist_failed', 2: 'persist_failed' }) }),
    );
    expect(persist.text).toContain('cannot be stored');
  });

  it('a dead feed: the decisions line says the loop runs and gets no bars, not "is the loop running?"', () => {
    const dead = verdict(
      facts({ decisions: rows(100, LAST - 10 * BAR), newestRawTs: LAST - 10 * BAR }, undefined, true),
    );
    expect(dead.checks['feed']).toBe('FAIL');
    expect(dead.text).not.toContain('is the loop running');
    expect(dead.text).toContain('while a paper process holds the stream: it gets no bars');
  });

  it('an empty journal whose run had begun is a cut journal, and raw bars are looked up by the run', () => {
    const cut = verdict(
      facts({ decisions: [], firstDecisionTs: LAST - 50 * BAR, venueName: 'sim', newestRawTs: LAST }),
    );
    expect(cut.checks['decisions']).toBe('FAIL');
    expect(cut.text).toContain('was it cut or replaced?');
    expect(cut.checks['raw']).toBe('OK');
    const lost = verdict(
      facts({ decisions: [], firstDecisionTs: LAST - 50 * BAR, newestRawTs: null, venueName: 'sim' }),
    );
    expect(lost.text).toContain('the lake was moved or cleared');
  });

  it('a new stream its process holds is starting (WARN) for a while, then a finding; without a process a FAIL', () => {
    const fresh = { decisions: [], newestRawTs: null, firstDecisionTs: null };
    const starting = verdict(facts({ ...fresh, heldForMs: 5_000 }));
    expect(starting.checks).toMatchObject({ decisions: 'WARN', raw: 'WARN', heartbeat: 'OK' });
    expect(starting.status).toBe('WARN');
    // Held for an unknown time (no birth time on this filesystem): a start too.
    expect(verdict(facts(fresh)).checks).toMatchObject({ decisions: 'WARN', raw: 'WARN' });
    const stuck = verdict(facts({ ...fresh, heldForMs: 300_000 }));
    expect(stuck.checks).toMatchObject({ decisions: 'FAIL', raw: 'FAIL' });
    expect(stuck.text).toContain('has held the stream for 300 s');
    expect(verdict(facts({ ...fresh, lockAgeMs: null })).checks).toMatchObject({
      decisions: 'FAIL',
      raw: 'FAIL',
    });
  });

  it('a bad journal line is a FAIL naming file and line, the good rows still judged', () => {
    const bad = { count: 1, last: { line: 449, why: '/x/decisions.csv:449: expected 18 fields, found 1' } };
    const v = verdict(facts({ badLines: bad }));
    expect(v.checks).toMatchObject({ journal: 'FAIL', decisions: 'OK', cadence: 'OK' });
    expect(v.text).toContain('decisions.csv:449: expected 18 fields, found 1');
  });
});

describe('trailing decisions', () => {
  it('reads the last rows from the end of the file, leaving a torn line out', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mjolnir-trailing-')), 'decisions.csv');
    const line = (ts: number, reason: string) =>
      `sim,BTC/USDT,5m,${ts},hold,${reason},flat,1,,0,,10000,h,,ema_cross_atr,,abc,${new Date(ts).toISOString()}\n`;
    writeFileSync(path, `${DECISION_COLUMNS.join(',')}\n`);
    expect(trailingDecisions(path, 5).rows).toEqual([]);
    let text = '';
    for (let i = 0; i < 5_000; i++) text += line(LAST + i * BAR, i % 7 === 0 ? 'in_position' : 'no_signal');
    appendFileSync(path, `${text}sim,BTC/USDT,5m,${LAST + 5_000 * BAR},ho`);
    const tail = trailingDecisions(path, 3);
    expect(tail.rows.map((r) => r.ts)).toEqual([LAST + 4_997 * BAR, LAST + 4_998 * BAR, LAST + 4_999 * BAR]);
    expect(tail.bad).toBeNull();
    expect(trailingDecisions(path, 6_000).rows).toHaveLength(5_000);
    expect(trailingDecisions(join(path, '..', 'missing.csv'), 3).rows).toEqual([]);
    // Read by the read side's parser: lines that are not decisions are left out and numbered in the
    // file (the torn line completed as garbage is line 5,002, the bad reason 5,003), the good rows kept.
    appendFileSync(
      path,
      `ld,\n${line(LAST + 5_001 * BAR, 'no_such_reason')}${line(LAST + 5_002 * BAR, 'no_signal')}`,
    );
    const damaged = trailingDecisions(path, 5);
    expect(damaged.rows.map((r) => r.ts)).toEqual([
      LAST + 4_998 * BAR,
      LAST + 4_999 * BAR,
      LAST + 5_002 * BAR,
    ]);
    expect(damaged.bad?.count).toBe(2);
    expect(damaged.bad?.last.line).toBe(5_003);
    expect(damaged.bad?.last.why).toMatch(/decisions\.csv:5003: reason "no_such_reason" is not one of/);
  });

  it('counts on-time decisions from the last slot caught up at a restart; a restart that missed nothing is clean', () => {
    const restart = (bars: number, back: number) => ({
      at: '2024-06-01T11:00:00.000Z',
      caughtUpToTs: LAST - back * BAR,
      caughtUpBars: bars,
    });
    const after = (back: number) => evaluateHealth(facts({ restart: restart(9, back) })).streams[0]!.checks;
    const cadence = (back: number) => after(back).find((c) => c.name === 'cadence')!;
    expect(cadence(4)).toMatchObject({ status: 'WARN', figure: 'clean_trailing_cadence_diffs=4/12' });
    expect(cadence(4).cause).toContain('restarted after downtime: 9 slot(s) caught up to');
    expect(cadence(11).status).toBe('WARN');
    expect(cadence(12)).toMatchObject({ status: 'OK', figure: 'clean_trailing_cadence_diffs=12/12' });
    expect(verdict(facts({ restart: restart(1, 0) })).checks['cadence']).toBe('OK');
  });

  it('shows the last eqflat verdict when one was recorded: PASS OK, FAIL or damaged WARN', () => {
    const recorded = {
      at: '2024-06-01T11:00:00.000Z',
      run_id: 'eqflat_1',
      decisions: true,
      trades: true,
      overall: true,
      through_ts: LAST,
      first_mismatch: null,
    };
    expect(verdict(facts()).checks['eqflat']).toBeUndefined();
    expect(verdict(facts({ eqflat: recorded })).checks['eqflat']).toBe('OK');
    const failed = verdict(
      facts({
        eqflat: { ...recorded, trades: false, overall: false, first_mismatch: '2: trade lifecycles differ' },
      }),
    );
    expect([failed.status, failed.code]).toEqual(['WARN', 0]);
    expect(failed.text).toContain('LIVE and its backtest differ: 2: trade lifecycles differ');
    expect(verdict(facts({ eqflat: 'unreadable' }), true).code).toBe(1);
  });
});
