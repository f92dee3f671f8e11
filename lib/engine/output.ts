import type { TsMs } from '../time/index.js';
import {
  ACTIONS,
  type Decision,
  positionLabel,
  REASON_CODE,
  REASONS,
  type Side,
  type TradeEvent,
} from './decision.js';

/**
 * What one engine step produced, written into a record the host reuses so hot loops allocate
 * nothing per bar (trade events, which are rare, are the exception). `decisionsOf` turns it into
 * plain `Decision` objects.
 */
export class StepOutput {
  /** False when the bar was refused as a duplicate or out of order: no decision was made. */
  accepted = false;
  /** Why the bar was refused; meaningful only when `accepted` is false. */
  rejection: 'duplicate' | 'out_of_order' = 'duplicate';
  /** Empty slots between the previous slot and this bar; each gets a `bar_missing` decision. */
  gapCount = 0;
  gapFirstTs = Number.NaN;
  gapSide: Side = 0;
  gapQty = 0;
  gapStop = Number.NaN;
  ts = Number.NaN;
  /** Index into ACTIONS. */
  action = 0;
  /** Index into REASONS. */
  reason = 0;
  side: Side = 0;
  qty = 0;
  stop = Number.NaN;
  close = Number.NaN;
  fillPrice = Number.NaN;
  /** Equity after the step, marked at its close (NaN without one): what `markToMarket` gives then. */
  equity = Number.NaN;
  /** Fills made during this step, in order. */
  readonly events: TradeEvent[] = [];

  /** Clears what a step may leave unset (the other fields are written by every accepted step). */
  reset(): void {
    this.accepted = false;
    this.gapCount = 0;
    this.fillPrice = Number.NaN;
    if (this.events.length > 0) this.events.length = 0;
  }
}

const BAR_MISSING = REASON_CODE.bar_missing;

/** The decisions a step made, gap slots first; empty for a refused bar. */
export function decisionsOf(out: StepOutput, timeframeMs: number): Decision[] {
  if (!out.accepted) return [];
  const decisions: Decision[] = [];
  for (let i = 0; i < out.gapCount; i++) {
    decisions.push({
      ts_ms: (out.gapFirstTs + i * timeframeMs) as TsMs,
      action: 'skip',
      reason: REASONS[BAR_MISSING] as 'bar_missing',
      position: positionLabel(out.gapSide),
      close: Number.NaN,
      stop: out.gapStop,
      qty: out.gapQty,
      fill_price: Number.NaN,
    });
  }
  decisions.push({
    ts_ms: out.ts as TsMs,
    action: ACTIONS[out.action],
    reason: REASONS[out.reason],
    position: positionLabel(out.side),
    close: out.close,
    stop: out.stop,
    qty: out.qty,
    fill_price: out.fillPrice,
  } as Decision);
  return decisions;
}
