export { binanceId, exchangeInfo, klineRow } from './binance.js';
export {
  FAULT_KINDS,
  type FaultConfig,
  type FaultKind,
  FaultPlan,
  faultSchema,
  NO_FAULTS,
} from './faults.js';
export { klines, ReplaySource, type SimBarSource, type SimKline, SyntheticSource } from './market.js';
export { type SimServer, type SimServerOptions, startSimServer } from './server.js';
export { VirtualClock } from './virtual-clock.js';
