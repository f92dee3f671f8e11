export {
  type Bar,
  type BarDefect,
  barDefect,
  isUsableBar,
  type MutableBar,
  mutableBar,
  usableValues,
} from './bar.js';
export { type Gap, type GapReport, gapReport } from './gaps.js';
export { barHash, barHashAt, barHashLanes, barHashLanesAt } from './hash.js';
export { closedBars, fetchHistory, type HistoryPage } from './history.js';
export type { MarketKey } from './key.js';
export { MemoryMarketData } from './memory-source.js';
export { Random } from './random.js';
export {
  amountToStep,
  applyRules,
  decimalText,
  type MarketFees,
  type MarketRules,
  priceToTick,
  type RulesRefusal,
} from './rules.js';
export {
  allocateSeries,
  type BarSeries,
  barAt,
  barsFromSeries,
  firstAtOrAfter,
  loadBar,
  seriesColumns,
  seriesFromBars,
  sliceSeries,
  storeBar,
} from './series.js';
export type { MarketDataSource, VenueStatement } from './source.js';
export { symbolFromPath, symbolFromText, symbolPath } from './symbol.js';
export { generateSeries, SyntheticMarket, type SyntheticOptions } from './synthetic.js';
export {
  type BarFlag,
  countFlags,
  type FlaggedRow,
  type RawBarRow,
  type ValidatedBars,
  validateRows,
} from './validate.js';
