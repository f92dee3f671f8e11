export {
  ANNUALISATION,
  type EquityCurve,
  MIN_RATIO_DAYS,
  MIN_RATIO_RETURNS,
  type PerformanceStats,
  performanceStats,
} from './performance.js';
export { type TradeStats, tradeStats } from './trades.js';
