import type { Tone } from './view-model.js';

/** Ink colour names by tone; undefined (the terminal's own) for plain text. */
const COLOURS: Record<Tone, string | undefined> = {
  ok: 'green',
  warn: 'yellow',
  fail: 'red',
  dim: 'gray',
  plain: undefined,
  accent: 'cyan',
};

/** The colour of a tone, none at all when colour is off (NO_COLOR, https://no-color.org). */
export function colourOf(tone: Tone, colour: boolean): string | undefined {
  return colour ? COLOURS[tone] : undefined;
}

/** Whether to colour: NO_COLOR set to anything non-empty turns it off. */
export const colourWanted = (env: Readonly<Record<string, string | undefined>>): boolean =>
  (env['NO_COLOR'] ?? '') === '';
