import { Box } from 'ink';
import type { Panel } from '../view-model.js';
import { ToneLine } from './tone-line.js';

/** A bordered panel: its title in its tone, then its lines. */
export function PanelBox({ panel, colour, width }: { panel: Panel; colour: boolean; width: number }) {
  return (
    // Never shrunk below its lines (they would overlap): what does not fit is cut by the screen.
    <Box
      flexDirection="column"
      flexShrink={0}
      borderStyle={colour ? 'round' : 'single'}
      paddingX={1}
      width={width}
    >
      <ToneLine line={{ text: panel.title, tone: panel.tone }} colour={colour} bold />
      {panel.lines.map((line, i) => (
        // Lines have no identity beyond their place in the panel.
        // biome-ignore lint/suspicious/noArrayIndexKey: positional lines
        <ToneLine key={i} line={line} colour={colour} />
      ))}
    </Box>
  );
}
