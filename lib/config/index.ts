export {
  engineSpecOf,
  previewSpecOf,
  type Stream,
  simulatorUrl,
  streamsOf,
  usesVenueRules,
  withVenueStatement,
} from './compile.js';
export { deployedConfigText } from './deploy.js';
export { type ConfigProblem, ENV_OVERRIDES, formatProblem, loadConfig, parseConfig } from './load.js';
export { type Config, configSchema, type StrategyRef, SYMBOL_PATTERN } from './schema.js';
export { definitionOf, modelAt, modelNamed, modelsDir } from './strategy-ref.js';
