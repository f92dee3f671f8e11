import { Text } from 'ink';
import { colourOf } from '../palette.js';
import type { Line } from '../view-model.js';

/** One line of text in its tone, cut at the box's edge unless it asks to wrap (a cause, read whole). */
export function ToneLine({ line, colour, bold }: { line: Line; colour: boolean; bold?: boolean }) {
  const color = colourOf(line.tone, colour);
  return (
    <Text
      wrap={line.wrap === true ? 'wrap' : 'truncate-end'}
      bold={bold === true}
      {...(color === undefined ? {} : { color })}
    >
      {line.text === '' ? ' ' : line.text}
    </Text>
  );
}
