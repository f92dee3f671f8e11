import type { RefusalReason } from './reasons.js';

/** Risk limits, in quote currency; Infinity disables a limit. */
export interface RiskSpec {
  readonly maxPositionNotional: number;
  readonly maxOrderNotional: number;
  /** Realised plus unrealised loss within one UTC day that stops new entries until the next day. */
  readonly dailyLossLimit: number;
  readonly maxOrdersPerMinute: number;
}

/** Risk limits that never refuse anything. */
export const NO_RISK_LIMITS: RiskSpec = {
  maxPositionNotional: Number.POSITIVE_INFINITY,
  maxOrderNotional: Number.POSITIVE_INFINITY,
  dailyLossLimit: Number.POSITIVE_INFINITY,
  maxOrdersPerMinute: Number.POSITIVE_INFINITY,
};

/** What the entry check needs to know about the moment of a proposed entry. */
export interface EntryProposal {
  readonly killSwitch: boolean;
  /** Today's realised PnL plus the open position's unrealised PnL. */
  readonly dayPnl: number;
  /** Notional of the new position (and of its opening order). */
  readonly notional: number;
  readonly ordersInLastMinute: number;
  /** Orders the entry needs (2 for a reversal: the close and the open). */
  readonly ordersNeeded: number;
}

/** Why a proposed entry must be refused, or null to allow it. Exits are never refused: they reduce risk. */
export function entryRefusal(proposal: EntryProposal, limits: RiskSpec): RefusalReason | null {
  if (proposal.killSwitch) return 'kill_switch';
  if (proposal.dayPnl <= -limits.dailyLossLimit) return 'risk_daily_loss';
  if (!(proposal.notional <= limits.maxOrderNotional)) return 'risk_max_order';
  if (!(proposal.notional <= limits.maxPositionNotional)) return 'risk_max_position';
  if (proposal.ordersInLastMinute + proposal.ordersNeeded > limits.maxOrdersPerMinute)
    return 'risk_order_rate';
  return null;
}
