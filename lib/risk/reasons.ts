/** Why an entry the strategy wanted was refused (kill switch, risk limits). */
export const REFUSAL_REASONS = [
  'kill_switch',
  'risk_max_position',
  'risk_max_order',
  'risk_daily_loss',
  'risk_order_rate',
] as const;

/** Why an entry was refused: the kill switch or a risk limit. */
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
