import type { Scaler } from '../strategy/index.js';
import { type ModelFiles, modelFiles } from './artifacts.js';
import { type BackendName, selectBackend } from './backend.js';
import { type EpochLog, fitNetwork, type ModelHyperparameters, type Rows } from './network.js';

/** One network to train: what crosses to a worker thread (typed arrays, plain data). */
export interface FoldJob {
  readonly label: string;
  readonly data: Rows;
  readonly hp: ModelHyperparameters;
  readonly purge: number;
  readonly backend?: BackendName | undefined;
}

/** What comes back: the network's files, its scaler and how training went. */
export interface FoldFit {
  readonly label: string;
  readonly files: ModelFiles;
  readonly scaler: Scaler;
  readonly history: readonly EpochLog[];
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly backend: string;
}

/** Trains one network on this thread's tfjs (loaded once per thread). */
export async function runFoldJob(job: FoldJob, onEpoch?: (log: EpochLog) => void): Promise<FoldFit> {
  const backend = await selectBackend(job.backend);
  const fit = await fitNetwork(backend.tf, job.data, job.hp, job.purge, onEpoch);
  const files = await modelFiles(backend.tf, fit.model);
  fit.model.dispose();
  return {
    label: job.label,
    files,
    scaler: fit.scaler,
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    stoppedEarly: fit.stoppedEarly,
    backend: backend.detail,
  };
}
