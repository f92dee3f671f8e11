export { engineSpecOf, type Stream, simulatorUrl, streamsOf } from './compile.js';
export { type ConfigProblem, ENV_OVERRIDES, formatProblem, loadConfig, parseConfig } from './load.js';
export { type Config, configSchema, SYMBOL_PATTERN } from './schema.js';
