export { compareRuns, type EqResult, type EqSide, type LayerResult, type Mismatch } from './compare.js';
export { type EqflatOutcome, eqflat, eqTags, journalSide, liveRunSpec } from './eqflat.js';
export { formatEq } from './report.js';
