/**
 * Mjölnir's shared library. Every host (CLI, paper loop, backtest, notebooks, dashboard) imports
 * from here; each area's own index is its public surface.
 */
export * from './backtest/index.js';
export * from './config/index.js';
export * from './core/index.js';
export * from './engine/index.js';
export * from './equivalence/index.js';
export * from './exchange/index.js';
export * from './features/index.js';
export * from './journal/index.js';
export * from './live/index.js';
export * from './market/index.js';
export * from './metrics/index.js';
export * from './research/index.js';
export * from './risk/index.js';
export * from './sim/index.js';
export * from './store/index.js';
export * from './strategy/index.js';
export * from './time/index.js';
