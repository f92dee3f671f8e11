export { Decider, type Fed } from './decider.js';
export { ExchangeClock } from './exchange-clock.js';
export { FailureLog } from './failure-log.js';
export {
  type CheckHealthOptions,
  checkHealth,
  streamsToJudge,
  VenueClocks,
  type VenueTimeOf,
} from './health-check.js';
export {
  HEALTH_EVERY_MS,
  HealthMonitor,
  type HealthMonitorOptions,
  type KeptVerdict,
} from './health-monitor.js';
export { type Logger, MemoryLogger } from './logger.js';
export { LoopMetrics } from './metrics.js';
export type { LoopObserver, StreamProbe } from './observer.js';
export {
  HEARTBEAT_MS,
  type PaperOptions,
  type PaperOutcome,
  pollInterval,
  runPaper,
  venueFor,
} from './paper.js';
export { type LiveSnapshot, readSnapshot } from './persistence.js';
export { type Restored, restoreState } from './restore.js';
export {
  healthBody,
  type StatusServer,
  type StatusSources,
  startStatusServer,
  VERDICT_STALE_MS,
} from './status-server.js';
export { type IterationReport, type StreamDeps, StreamLoop, type StreamSettings } from './stream-loop.js';
