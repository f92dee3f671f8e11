export { commitFile, fsyncPath, temporaryPath, withFileLock, writeFileAtomic } from './atomic.js';
export type { CompactionReport } from './compaction.js';
export { type CloseRange, Coverage } from './coverage.js';
export { Duck, sqlString } from './duck.js';
export { parseFreqtradeJson, parseOhlcvCsv, parseTimestamp, type TimestampKey } from './importers.js';
export { Lake, type WriteReport } from './lake.js';
export { DataLayout, type MarketKey } from './layout.js';
export { type Resampled, resample } from './resample.js';
