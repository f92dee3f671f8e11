import { z } from 'zod';
import { MjolnirError } from '../core/index.js';
import type { FeatureSet } from '../strategy/index.js';
import { restoreFeatures, snapshotFeatures } from '../strategy/index.js';
import { decodeJson, encodeJson } from './codec.js';
import type { Side } from './decision.js';
import { type EngineSpec, specFingerprint } from './spec.js';

/** Order placed at a bar's close and filled at the next valid bar's open (next-open fill model). */
export const PENDING_NONE = 0;
export const PENDING_ENTER = 1;
export const PENDING_EXIT = 2;
export const PENDING_REVERSE = 3;

/** The open position, mutated in place by the engine. */
export interface PositionState {
  side: Side;
  qty: number;
  entryPrice: number;
  /** Close time of the bar whose decision opened it. */
  entryTs: number;
  entryFee: number;
  stop: number;
}

/** A position as hosts and notebooks read it (a read-only view of the engine's). */
export type Position = Readonly<PositionState>;

/** An order waiting for the next bar's open. */
export interface PendingOrder {
  kind: number;
  /** Side of the position the order opens (enter / reverse). */
  side: Side;
  decisionTs: number;
  qty: number;
  stopDistance: number;
  exitReason: number;
}

/** Money and the bookkeeping risk limits need. */
export interface AccountState {
  realizedPnl: number;
  feesPaid: number;
  /** UTC midnight of the day `dayPnl` covers (rolled when the daily PnL is next read or changed, so it may lag). */
  day: number;
  /** Realised PnL of trades closed during `day`. */
  dayPnl: number;
  /** Fill times of the most recent orders (oldest first), for the orders-per-minute limit. */
  orderTimes: number[];
}

/** Everything the engine knows: with the spec, it fully determines every later decision. */
export interface EngineState<F extends FeatureSet = FeatureSet> {
  /** Close time of the last slot decided (a bar, a missing bar or a host skip); NaN before the first. */
  lastTs: number;
  /** Close time of the first bar ever fed (where the indicator warmup started). */
  firstTs: number;
  /** Valid bars fed to the features. */
  validBars: number;
  /** The previous slot had no usable bar, so this bar's features span a gap. */
  afterGap: boolean;
  features: F;
  position: PositionState;
  pending: PendingOrder;
  account: AccountState;
}

/** A fresh state for `spec`. */
export function createState(spec: EngineSpec): EngineState {
  return {
    lastTs: Number.NaN,
    firstTs: Number.NaN,
    validBars: 0,
    afterGap: false,
    features: spec.strategy.createFeatures(),
    position: { side: 0, qty: 0, entryPrice: Number.NaN, entryTs: Number.NaN, entryFee: 0, stop: Number.NaN },
    pending: {
      kind: PENDING_NONE,
      side: 0,
      decisionTs: Number.NaN,
      qty: 0,
      stopDistance: Number.NaN,
      exitReason: 0,
    },
    account: { realizedPnl: 0, feesPaid: 0, day: Number.NaN, dayPnl: 0, orderTimes: [] },
  };
}

const STATE_FORMAT = 'mjolnir.engine-state';
const STATE_VERSION = 1;

/** The state as JSON text that `deserializeState` restores exactly (NaN, ±Infinity and -0 included). */
export function serializeState(spec: EngineSpec, state: EngineState): string {
  return encodeJson({
    format: STATE_FORMAT,
    version: STATE_VERSION,
    spec: specFingerprint(spec),
    strategy: spec.strategy.id,
    lastTs: state.lastTs,
    firstTs: state.firstTs,
    validBars: state.validBars,
    afterGap: state.afterGap,
    features: snapshotFeatures(state.features),
    position: state.position,
    pending: state.pending,
    account: state.account,
  });
}

// Any JS number, NaN and ±Infinity included (the codec restores them before validation).
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const sideSchema = z.union([z.literal(-1), z.literal(0), z.literal(1)]);
const savedState = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  spec: z.string(),
  strategy: z.string(),
  lastTs: anyNumber,
  firstTs: anyNumber,
  validBars: z.number().int().min(0),
  afterGap: z.boolean(),
  features: z.record(z.string(), z.unknown()),
  position: z.strictObject({
    side: sideSchema,
    qty: anyNumber,
    entryPrice: anyNumber,
    entryTs: anyNumber,
    entryFee: anyNumber,
    stop: anyNumber,
  }),
  pending: z.strictObject({
    kind: z.number().int().min(PENDING_NONE).max(PENDING_REVERSE),
    side: sideSchema,
    decisionTs: anyNumber,
    qty: anyNumber,
    stopDistance: anyNumber,
    exitReason: z.number().int().min(0),
  }),
  account: z.strictObject({
    realizedPnl: anyNumber,
    feesPaid: anyNumber,
    day: anyNumber,
    dayPnl: anyNumber,
    orderTimes: z.array(anyNumber),
  }),
});

/** Restores a state saved by `serializeState`, refusing one saved under a different spec. */
export function deserializeState(spec: EngineSpec, text: string): EngineState {
  const parsed = savedState.safeParse(decodeJson(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MjolnirError(
      'state_corrupt',
      `engine state: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const saved = parsed.data;
  const fingerprint = specFingerprint(spec);
  if (saved.spec !== fingerprint) {
    throw new MjolnirError(
      'state_incompatible',
      `saved engine state belongs to another configuration (spec ${saved.spec}, strategy ${saved.strategy}); ` +
        `this run has spec ${fingerprint}, strategy ${spec.strategy.id}. Decisions made under one cannot continue under the other.`,
    );
  }
  const state = createState(spec);
  restoreFeatures(state.features, saved.features);
  state.lastTs = saved.lastTs;
  state.firstTs = saved.firstTs;
  state.validBars = saved.validBars;
  state.afterGap = saved.afterGap;
  state.position = saved.position;
  state.pending = saved.pending;
  state.account = saved.account;
  return state;
}

/** Capital plus realised and unrealised PnL (net of the entry fee) at `price`; NaN when there is no price. */
export function markToMarket(initialCapital: number, state: EngineState, price: number): number {
  const position = state.position;
  const unrealized =
    position.side === 0
      ? 0
      : position.side * (price - position.entryPrice) * position.qty - position.entryFee;
  return !Number.isNaN(price) ? initialCapital + state.account.realizedPnl + unrealized : Number.NaN;
}

/** A deep, independent copy of a state (used by the pure `step`). */
export function cloneState(spec: EngineSpec, state: EngineState): EngineState {
  return deserializeState(spec, serializeState(spec, state));
}
