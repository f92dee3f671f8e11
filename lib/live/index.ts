export { Decider, type Fed } from './decider.js';
export { ExchangeClock } from './exchange-clock.js';
export { FailureLog } from './failure-log.js';
export { type Logger, MemoryLogger } from './logger.js';
export { type PaperOptions, type PaperOutcome, pollInterval, runPaper } from './paper.js';
export { type LiveManifest, type LiveSnapshot, readManifest, readSnapshot } from './persistence.js';
export { type Restored, restoreState } from './restore.js';
export { type IterationReport, type StreamDeps, StreamLoop, type StreamSettings } from './stream-loop.js';
