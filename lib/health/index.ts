export {
  type Check,
  cleanTrailingCadence,
  DEFAULT_HEALTH,
  evaluateHealth,
  formatHealth,
  type HealthFacts,
  type HealthOptions,
  type HealthReport,
  healthExitCode,
  type Restart,
  SKIP_MARKERS,
  type StreamFacts,
  type StreamHealth,
  streamHealth,
  type Verdict,
  worst,
} from './evaluate.js';
export { type GatherOptions, gatherHealth, type LiveStream, liveStreams, type RawTail } from './gather.js';
