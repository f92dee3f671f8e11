export { App, type AppProps } from './components/app.js';
export { colourOf, colourWanted } from './palette.js';
export { type DashboardOptions, runDashboard } from './run.js';
export { DashboardSources, type SourceOptions } from './sources.js';
export {
  buildView,
  type DashboardData,
  gapMeter,
  type Line,
  money,
  type Panel,
  type StreamData,
  shortTimes,
  sparkline,
  type Tab,
  type Tone,
  type UiState,
  type View,
} from './view-model.js';
