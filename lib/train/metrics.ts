/** Accuracy and log loss of probabilities against 0/1 labels. */
export interface ClassifierScores {
  readonly rows: number;
  readonly accuracy: number;
  readonly logLoss: number;
  /** The share of rows labelled 1 (what always answering "up" would score). */
  readonly baseRate: number;
}

const EPSILON = 1e-7;

export function classifierScores(p: ArrayLike<number>, y: ArrayLike<number>, rows: number): ClassifierScores {
  let right = 0;
  let loss = 0;
  let ones = 0;
  for (let i = 0; i < rows; i++) {
    const q = Math.min(1 - EPSILON, Math.max(EPSILON, p[i]!));
    const label = y[i]!;
    ones += label;
    if ((q >= 0.5 ? 1 : 0) === label) right++;
    loss -= label * Math.log(q) + (1 - label) * Math.log(1 - q);
  }
  return { rows, accuracy: right / rows, logLoss: loss / rows, baseRate: ones / rows };
}
