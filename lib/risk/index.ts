export { type KillSwitch, readKillSwitch } from './kill-switch.js';
export { type EntryProposal, entryRefusal, NO_RISK_LIMITS, type RiskSpec } from './limits.js';
export { REFUSAL_REASONS, type RefusalReason } from './reasons.js';
