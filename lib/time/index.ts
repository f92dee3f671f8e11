export { type Clock, realScheduler, type Scheduler, systemClock, TestClock } from './clock.js';
export {
  alignDown,
  closeOfOpen,
  isAligned,
  lastClosedAt,
  nextClose,
  openOfClose,
  parseTimeframe,
  slotsBetween,
  TIMEFRAMES,
  type Timeframe,
  type TimeframeLabel,
  timeframe,
} from './timeframe.js';
export { DAY_MS, isoUtc, type TsMs, tsMs, utcDay, utcDayStart } from './ts.js';
