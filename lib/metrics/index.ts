export { type EquityCurve, type PerformanceStats, performanceStats } from './performance.js';
export { type TradeStats, tradeStats } from './trades.js';
