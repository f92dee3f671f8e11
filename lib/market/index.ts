export { type Bar, type BarDefect, barDefect, isUsableBar, type MutableBar, mutableBar } from './bar.js';
export { type Gap, type GapReport, gapReport } from './gaps.js';
export { barHash, barHashLanes } from './hash.js';
export { Random } from './random.js';
export {
  allocateSeries,
  type BarSeries,
  barAt,
  barsFromSeries,
  loadBar,
  seriesFromBars,
  sliceSeries,
  storeBar,
} from './series.js';
export { generateSeries, SyntheticMarket, type SyntheticOptions } from './synthetic.js';
export {
  type BarFlag,
  countFlags,
  type FlaggedRow,
  type RawBarRow,
  type ValidatedBars,
  validateRows,
} from './validate.js';
