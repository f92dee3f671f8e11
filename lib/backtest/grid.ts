import { MjolnirError } from '../core/index.js';

/** A parameter value a strategy takes. */
export type ParamValue = number | boolean;

/** Values to try per parameter name. */
export type Grid = Readonly<Record<string, readonly ParamValue[]>>;

/** One combination of a grid. */
export type ParamSet = Readonly<Record<string, ParamValue>>;

/** Grids larger than this are refused: a typo in a range should not start a week of work. */
export const MAX_COMBINATIONS = 1_000_000;

/** Every combination of a grid, the first parameter varying slowest (a stable order for reports). */
export function expandGrid(grid: Grid): ParamSet[] {
  const names = Object.keys(grid);
  let total = 1;
  for (const name of names) {
    const values = grid[name]!;
    if (values.length === 0) throw new MjolnirError('input_invalid', `grid parameter ${name} has no values`);
    total *= values.length;
  }
  if (total > MAX_COMBINATIONS)
    throw new MjolnirError(
      'input_invalid',
      `the grid has ${total} combinations; at most ${MAX_COMBINATIONS}`,
    );
  const sets: ParamSet[] = [];
  const pick = new Array<number>(names.length).fill(0);
  for (let n = 0; n < total; n++) {
    sets.push(Object.fromEntries(names.map((name, i) => [name, grid[name]![pick[i]!]!])));
    for (let i = names.length - 1; i >= 0; i--) {
      if (++pick[i]! < grid[names[i]!]!.length) break;
      pick[i] = 0;
    }
  }
  return sets;
}

function parseValue(text: string, where: string): ParamValue {
  if (text === 'true' || text === 'false') return text === 'true';
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new MjolnirError('input_invalid', `${where}: "${text}" is not a number or true/false`);
  return value;
}

/**
 * Parses one grid axis as an operator writes it: `name=v1,v2,...` or an inclusive range
 * `name=from:to:step` (`from:to` steps by 1); values are numbers or true/false.
 */
export function parseGridAxis(text: string): [string, ParamValue[]] {
  const match = /^([a-z_][a-z0-9_]*)=(.+)$/i.exec(text.trim());
  if (match === null)
    throw new MjolnirError('input_invalid', `grid axis "${text}": expected name=v1,v2 or name=from:to:step`);
  const [, name, spec] = match as unknown as [string, string, string];
  const where = `grid axis ${name}`;
  if (spec.includes(':')) {
    const parts = spec.split(':').map((part) => parseValue(part, where));
    if (parts.length > 3 || parts.some((part) => typeof part !== 'number'))
      throw new MjolnirError('input_invalid', `${where}: a range is from:to or from:to:step, in numbers`);
    const [from, to, step = 1] = parts as number[];
    if (!(step! > 0) || to! < from!)
      throw new MjolnirError('input_invalid', `${where}: range ${spec} needs from <= to and a step > 0`);
    const count = Math.floor((to! - from!) / step! + 1e-9) + 1;
    if (count > MAX_COMBINATIONS)
      throw new MjolnirError('input_invalid', `${where}: range ${spec} has ${count} values`);
    // Computed from the index, not accumulated: 0.1 steps stay on their decimal values.
    const decimals = Math.max(...[from!, step!].map((x) => (String(x).split('.')[1] ?? '').length));
    return [name, Array.from({ length: count }, (_, i) => Number((from! + i * step!).toFixed(decimals)))];
  }
  return [name, spec.split(',').map((part) => parseValue(part.trim(), where))];
}

/** A grid from axes as operators write them (see parseGridAxis); a parameter named twice is an error. */
export function parseGrid(axes: readonly string[]): Grid {
  const grid: Record<string, ParamValue[]> = {};
  for (const axis of axes) {
    const [name, values] = parseGridAxis(axis);
    if (Object.hasOwn(grid, name))
      throw new MjolnirError('input_invalid', `grid parameter ${name} is given twice`);
    grid[name] = values;
  }
  return grid;
}
