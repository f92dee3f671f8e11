export { binanceId, exchangeInfo, klineRow } from './binance.js';
export { COINBASE_MAX_CANDLES, coinbaseId } from './coinbase.js';
export {
  FAULT_KINDS,
  type FaultConfig,
  type FaultKind,
  FaultPlan,
  faultSchema,
  NO_FAULTS,
} from './faults.js';
export { klines, ReplaySource, type SimBarSource, type SimKline, SyntheticSource } from './market.js';
export {
  SIM_VENUES,
  type SimServer,
  type SimServerOptions,
  type SimVenue,
  startSimServer,
} from './server.js';
export { VirtualClock } from './virtual-clock.js';
