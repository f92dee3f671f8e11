export {
  type Candle,
  candleChart,
  divergingColour,
  equityChart,
  type HeatmapOptions,
  heatmap,
  histogram,
  lineChart,
  type Marker,
  type Series,
} from './charts.js';
export { barsFrame, lakeFrame } from './dataframe.js';
export { type ExplainRequest, type Explanation, explain, type RuleEvaluation } from './explain.js';
export { candlesOf, decisionMarkers } from './overlays.js';
export { chartHtml, type Display, htmlTable, rendered, show } from './show.js';
export { type SimulatedLake, simulatedLake } from './sim-lake.js';
export { extent, type FrameOptions, type LegendEntry, type SvgChart, ticks } from './svg-frame.js';
export { type TimeTick, timeTicks } from './time-ticks.js';
