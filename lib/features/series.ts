/** Runs a one-input indicator over a whole array: the same object that streams, fed in a loop. */
export function overValues(
  indicator: { update(x: number): number },
  values: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = indicator.update(values[i]!);
  return out;
}

/** Runs a high/low/close indicator (ATR) over whole arrays. */
export function overHighLowClose(
  indicator: { update(high: number, low: number, close: number): number },
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) out[i] = indicator.update(high[i]!, low[i]!, close[i]!);
  return out;
}

/** Runs a one-input indicator with several outputs (MACD, Bollinger) and collects each named output. */
export function overValuesMulti<I extends { update(x: number): number }, K extends keyof I & string>(
  indicator: I,
  values: ArrayLike<number>,
  outputs: readonly K[],
): Record<K, Float64Array> {
  const result = {} as Record<K, Float64Array>;
  for (const key of outputs) result[key] = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    indicator.update(values[i]!);
    for (const key of outputs) result[key][i] = indicator[key] as number;
  }
  return result;
}
