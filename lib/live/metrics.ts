import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DecisionRow } from '../journal/index.js';
import type { KillSwitch } from '../risk/index.js';
import type { KeptVerdict } from './health-monitor.js';
import type { LoopObserver, StreamProbe } from './observer.js';

const POSITION = { flat: 0, long: 1, short: -1 } as const;
const VERDICT = { OK: 0, WARN: 1, FAIL: 2 } as const;

/** Latency buckets (seconds), from a fast local append to a slow disk. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The paper loop's Prometheus metrics (prom-client): `mjolnir_` prefix, base units, `_total`
 * counters, one `stream` label (plus action/reason/kind, all from small fixed sets), and the default
 * process metrics (event-loop lag, heap, GC) under the same prefix.
 */
export class LoopMetrics implements LoopObserver {
  readonly registry = new Registry();
  private readonly probes = new Map<string, StreamProbe>();
  private readonly decisions: Counter<'stream' | 'action' | 'reason'>;
  private readonly latency: Histogram<'stream'>;
  private readonly fetchErrors: Counter<'stream' | 'kind'>;
  private readonly persistFailures: Counter<'stream'>;
  private readonly position: Gauge<'stream'>;
  private readonly equity: Gauge<'stream'>;

  constructor(killSwitch: () => KillSwitch) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'mjolnir_' });
    // Gauges named like counters (`promtool check metrics` refuses them): the same counts stand by
    // type in mjolnir_nodejs_active_{handles,requests,resources}; sum() them for the totals.
    for (const kind of ['handles', 'requests', 'resources'])
      this.registry.removeSingleMetric(`mjolnir_nodejs_active_${kind}_total`);
    this.decisions = new Counter({
      name: 'mjolnir_decisions_total',
      help: 'Decisions durably recorded by this process, by stream, action and reason',
      labelNames: ['stream', 'action', 'reason'],
      registers,
    });
    this.latency = new Histogram({
      name: 'mjolnir_decision_latency_seconds',
      help: 'From the fetch that brought a closed bar to its durable journal row',
      labelNames: ['stream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.fetchErrors = new Counter({
      name: 'mjolnir_fetch_errors_total',
      help: 'Failed fetches (after the client retries), by error kind',
      labelNames: ['stream', 'kind'],
      registers,
    });
    this.persistFailures = new Counter({
      name: 'mjolnir_persist_failures_total',
      help: 'Fetched bars that could not be stored (their slots recorded as persist_failed)',
      labelNames: ['stream'],
      registers,
    });
    this.position = new Gauge({
      name: 'mjolnir_position',
      help: 'Position after the last decision: 1 long, 0 flat, -1 short',
      labelNames: ['stream'],
      registers,
    });
    this.equity = new Gauge({
      name: 'mjolnir_equity',
      help: "Equity at the last decided bar's close, in the quote currency",
      labelNames: ['stream'],
      registers,
    });
    this.probeGauges(registers);
    new Gauge({
      name: 'mjolnir_kill_switch',
      help: 'The kill switch flag: 1 on (no new entries), 0 off',
      registers,
      collect() {
        this.set(killSwitch().killSwitch ? 1 : 0);
      },
    });
  }

  /** Gauges read from the loops at scrape time. */
  private probeGauges(registers: Registry[]): void {
    const probes = this.probes;
    new Gauge({
      name: 'mjolnir_last_decided_slot_timestamp_seconds',
      help: 'Close time of the last slot decided (Unix seconds)',
      labelNames: ['stream'],
      registers,
      collect() {
        for (const [stream, probe] of probes) {
          const last = probe.lastDecided();
          if (Number.isFinite(last)) this.set({ stream }, last / 1000);
        }
      },
    });
    new Gauge({
      name: 'mjolnir_bar_age_seconds',
      help: "Exchange time since the last decided slot closed (a bar's worth is normal)",
      labelNames: ['stream'],
      registers,
      collect() {
        for (const [stream, probe] of probes) {
          const last = probe.lastDecided();
          if (Number.isFinite(last)) this.set({ stream }, Math.max(0, probe.exchangeNow() - last) / 1000);
        }
      },
    });
    new Gauge({
      name: 'mjolnir_decisions_ahead_seconds',
      help: "How far the last decided slot is ahead of the venue's clock (0 normally: more is another venue or a clock gone back)",
      labelNames: ['stream'],
      registers,
      collect() {
        for (const [stream, probe] of probes) {
          const last = probe.lastDecided();
          if (Number.isFinite(last)) this.set({ stream }, Math.max(0, last - probe.exchangeNow()) / 1000);
        }
      },
    });
  }

  /** A stream's probe, once its loop is open. */
  probe(stream: string): StreamProbe | undefined {
    return this.probes.get(stream);
  }

  /** The kept health verdict, exported as gauges at each scrape (read, never judged, here). */
  healthFrom(verdict: () => KeptVerdict | null, wallNow: () => number): void {
    const registers = [this.registry];
    new Gauge({
      name: 'mjolnir_health_status',
      help: "The paper process's last health verdict per stream: 0 OK, 1 WARN, 2 FAIL",
      labelNames: ['stream'],
      registers,
      collect() {
        for (const s of verdict()?.report.streams ?? []) this.set({ stream: s.stream }, VERDICT[s.status]);
      },
    });
    new Gauge({
      name: 'mjolnir_health_check_status',
      help: 'Each health check of the last verdict: 0 OK, 1 WARN, 2 FAIL',
      labelNames: ['stream', 'check'],
      registers,
      collect() {
        for (const s of verdict()?.report.streams ?? [])
          for (const c of s.checks) this.set({ stream: s.stream, check: c.name }, VERDICT[c.status]);
      },
    });
    new Gauge({
      name: 'mjolnir_health_age_seconds',
      help: 'Wall time since the last health verdict was made (it is made every few seconds)',
      registers,
      collect() {
        const kept = verdict();
        if (kept !== null) this.set(Math.max(0, wallNow() - kept.at) / 1000);
      },
    });
  }

  streamOpened(stream: string, probe: StreamProbe): void {
    this.probes.set(stream, probe);
    this.persistFailures.inc({ stream }, 0);
  }

  recorded(stream: string, rows: readonly DecisionRow[], latencyMs: number | null): void {
    for (const row of rows) {
      this.decisions.inc({ stream, action: row.action, reason: row.reason });
      if (latencyMs !== null) this.latency.observe({ stream }, latencyMs / 1000);
    }
    const last = rows.at(-1);
    if (last === undefined) return;
    this.position.set({ stream }, POSITION[last.position]);
    if (Number.isFinite(last.equity)) this.equity.set({ stream }, last.equity);
  }

  fetchFailed(stream: string, code: string): void {
    this.fetchErrors.inc({ stream, kind: code });
  }

  persistFailed(stream: string): void {
    this.persistFailures.inc({ stream });
  }
}
