import { Box } from 'ink';
import type { Line } from '../view-model.js';
import { ToneLine } from './tone-line.js';

/** Lines one under another (the waiting screen, the help). */
export function LineList({
  lines,
  colour,
  bordered,
}: {
  lines: readonly Line[];
  colour: boolean;
  bordered?: boolean;
}) {
  return (
    <Box
      flexDirection="column"
      paddingX={1}
      {...(bordered === true ? { borderStyle: 'single' as const } : {})}
    >
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: positional lines
        <ToneLine key={i} line={line} colour={colour} />
      ))}
    </Box>
  );
}
