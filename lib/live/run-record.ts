import { MjolnirError } from '../core/index.js';
import type { LiveManifest, Venue } from '../journal/index.js';
import { type Clock, isoUtc } from '../time/index.js';
import type { Logger } from './logger.js';
import { writeManifest } from './persistence.js';

/**
 * A stream's LIVE run manifest as the loop keeps it: written at the first start (where warmup began,
 * the first decision), a start entry per process, the catch-up after a restart (what health's cadence
 * grace counts from), and the stop. Only the manifest's bookkeeping is lost when it cannot be written
 * after the start: the journals are the state.
 */
export class RunRecord {
  /** After a restart, until the first decisions: what is decided then was caught up. */
  private catchingUp = false;

  constructor(
    private readonly path: string,
    private manifest: LiveManifest | null,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** Where this process reads bars and the time: health judges the stream by this venue's clock. */
    private readonly venue: Venue,
  ) {}

  /** The first start of a run: its manifest, with this process's start. */
  begin(manifest: LiveManifest): void {
    this.manifest = manifest;
    this.started(null);
  }

  /** A process starts (resuming after the journal's last decision, or null on the first start). */
  started(resumedAfter: number | null): void {
    if (this.manifest === null) return;
    this.catchingUp = resumedAfter !== null;
    const start = {
      at: new Date(this.clock.now()).toISOString(),
      pid: process.pid,
      resumed_after_ts: resumedAfter,
      venue: this.venue,
    };
    this.manifest = { ...this.manifest, status: 'running', starts: [...this.manifest.starts, start] };
    writeManifest(this.path, this.manifest);
  }

  /** Decisions were recorded: the first ones after a restart caught up on the slots it missed. */
  decided(bars: number, lastTs: number): void {
    if (!this.catchingUp || bars === 0) return;
    this.catchingUp = false;
    const starts = this.manifest?.starts ?? [];
    const last = starts.at(-1);
    if (this.manifest === null || last === undefined) return;
    const caughtUp = { ...last, caught_up_to_ts: lastTs, caught_up_bars: bars };
    this.manifest = { ...this.manifest, starts: [...starts.slice(0, -1), caughtUp] };
    if (bars > 1) this.log.info({ bars, to: isoUtc(lastTs) }, 'Caught up after downtime');
    this.write('catch-up', this.manifest);
  }

  /** The process stops. */
  stopped(): void {
    if (this.manifest !== null) this.write('stop', { ...this.manifest, status: 'stopped' });
  }

  private write(what: string, manifest: LiveManifest): void {
    try {
      writeManifest(this.path, manifest);
    } catch (error) {
      if (error instanceof MjolnirError && error.category === 'invariant') throw error;
      this.log.warn({ error: (error as Error).message }, `Could not record the ${what} in the run manifest`);
    }
  }
}
