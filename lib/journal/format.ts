import { MAX_NUMBER_BYTES, putNumber } from './byte-sink.js';

const scratch = new Uint8Array(MAX_NUMBER_BYTES);
const decoder = new TextDecoder('latin1');

/**
 * A number as journals write it: exactly `String(x)`, NaN as the empty cell. The text comes from
 * putNumber, the one formatter (fast for exchange prices of up to 8 decimals, String otherwise).
 */
export function formatNumber(x: number): string {
  return decoder.decode(scratch.subarray(0, putNumber(scratch, 0, x)));
}

/** The `features` cell: a strategy's named values as `name=value;...`. */
export function featuresCell(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${formatNumber(value)}`)
    .join(';');
}
