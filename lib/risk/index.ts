export { type EntryProposal, entryRefusal, NO_RISK_LIMITS, type RiskSpec } from './limits.js';
