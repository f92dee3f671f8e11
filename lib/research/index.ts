export { barsFrame, lakeFrame } from './dataframe.js';
