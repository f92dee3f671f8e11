export { compareRuns, type EqResult, type EqSide, type LayerResult, type Mismatch } from './compare.js';
export { type EqflatOutcome, eqflat, eqTags, journalSide } from './eqflat.js';
export { formatEq } from './report.js';
