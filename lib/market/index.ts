export { type Bar, type BarDefect, barDefect, isUsableBar, type MutableBar, mutableBar } from './bar.js';
export { Random } from './random.js';
export {
  allocateSeries,
  type BarSeries,
  barAt,
  barsFromSeries,
  loadBar,
  seriesFromBars,
  storeBar,
} from './series.js';
export { generateSeries, SyntheticMarket, type SyntheticOptions } from './synthetic.js';
