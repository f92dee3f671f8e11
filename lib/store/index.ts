export {
  commitFile,
  removeDeadTemporaries,
  removeQuietly,
  temporaryPath,
  writeFileAtomic,
} from './atomic.js';
export { type BackfillProgress, type BackfillReport, backfill } from './backfill.js';
export type { CompactionReport } from './compaction.js';
export { type CloseRange, Coverage } from './coverage.js';
export { Duck, sqlString } from './duck.js';
export { parseFreqtradeJson, parseOhlcvCsv, parseTimestamp, type TimestampKey } from './importers.js';
export { Lake, type LakeOptions, type LakeWarning, type WriteReport } from './lake.js';
export { FileLock, type LockOptions, type LockTakeover, withFileLock } from './lock.js';
export {
  type RulesSnapshot,
  readRulesSnapshot,
  recordRules,
  rulesChanges,
  rulesPath,
  rulesReadLine,
} from './market-rules.js';
export { type Owner, ownerAlive, ownerText, parseOwner, processStartTime, SELF } from './owner.js';
export { type Resampled, resample } from './resample.js';
