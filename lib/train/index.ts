export { buildDataset, type Dataset, type DatasetOptions, type LabelKind } from './dataset.js';
export { checkDatasetLookahead, type DatasetLookaheadReport, type DatasetViolation } from './lookahead.js';
export { type Fold, type Range, type WalkForwardOptions, walkForward } from './walk-forward.js';
