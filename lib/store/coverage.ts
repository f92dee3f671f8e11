import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MjolnirError } from '../core/index.js';
import { writeFileAtomic } from './atomic.js';

/** An inclusive range of bar closes. */
export interface CloseRange {
  readonly from: number;
  readonly to: number;
}

const fileSchema = z.object({ version: z.literal(1), ranges: z.array(z.tuple([z.number(), z.number()])) });

/**
 * Which bar closes of a stream the exchange has already been asked for and answered, kept beside its
 * partitions (`_coverage.json`). A backfill fetches only what is not covered, so a rerun continues
 * where the last one stopped and refetches nothing; bars the exchange really lacks inside a covered
 * range stay missing (and show in the gap report) instead of being asked for again and again.
 */
export class Coverage {
  private ranges: CloseRange[];

  private constructor(
    private readonly path: string,
    ranges: CloseRange[],
  ) {
    this.ranges = ranges;
  }

  static fileIn(rawDir: string): string {
    return join(rawDir, '_coverage.json');
  }

  static load(rawDir: string): Coverage {
    const path = Coverage.fileIn(rawDir);
    if (!existsSync(path)) return new Coverage(path, []);
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success)
      throw new MjolnirError(
        'state_corrupt',
        `${path} is not a coverage file: ${parsed.error.issues[0]?.message}`,
      );
    return new Coverage(
      path,
      parsed.data.ranges.map(([from, to]) => ({ from, to })),
    );
  }

  get covered(): readonly CloseRange[] {
    return this.ranges;
  }

  /** Marks [from, to] covered, merging with touching ranges (`step` is the timeframe). */
  add(from: number, to: number, step: number): void {
    const all = [...this.ranges, { from, to }].sort((a, b) => a.from - b.from);
    const merged: CloseRange[] = [];
    for (const range of all) {
      const last = merged.at(-1);
      if (last !== undefined && range.from <= last.to + step)
        merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, range.to) };
      else merged.push(range);
    }
    this.ranges = merged;
  }

  /** The parts of [from, to] not covered, on the `step` grid. */
  missing(from: number, to: number, step: number): CloseRange[] {
    const gaps: CloseRange[] = [];
    let cursor = from;
    for (const range of this.ranges) {
      if (range.to < cursor) continue;
      if (range.from > to) break;
      if (range.from > cursor) gaps.push({ from: cursor, to: Math.min(to, range.from - step) });
      cursor = Math.max(cursor, range.to + step);
    }
    if (cursor <= to) gaps.push({ from: cursor, to });
    return gaps;
  }

  save(): void {
    writeFileAtomic(
      this.path,
      `${JSON.stringify({ version: 1, ranges: this.ranges.map((r) => [r.from, r.to]) })}\n`,
    );
  }
}
