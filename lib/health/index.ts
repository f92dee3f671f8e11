export { cleanTrailingCadence, judgesSlots } from './checks.js';
export {
  type Check,
  DEFAULT_HEALTH,
  evaluateHealth,
  formatHealth,
  type HealthFacts,
  type HealthOptions,
  type HealthReport,
  healthExitCode,
  healthLine,
  type Restart,
  type StreamFacts,
  type StreamHealth,
  streamHealth,
  type VenueTime,
  type Verdict,
  worst,
} from './evaluate.js';
export {
  type GatherOptions,
  gatherHealth,
  type LiveStream,
  liveStreams,
  machineTime,
  type RawTail,
  streamName,
  venueWords,
} from './gather.js';
export { SKIP_MARKERS } from './markers.js';
