export { type TradeStats, tradeStats } from './trades.js';
