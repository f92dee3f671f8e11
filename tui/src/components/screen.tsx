import { Box } from 'ink';
import type { View } from '../view-model.js';
import { LineList } from './line-list.js';
import { PanelBox } from './panel-box.js';
import { Tabs } from './tabs.js';
import { ToneLine } from './tone-line.js';

/** The whole screen for a view: title, streams, the panels (two columns when wide), footer. */
export function Screen({
  view,
  colour,
  width,
  height,
}: {
  view: View;
  colour: boolean;
  width: number;
  height: number;
}) {
  const column = view.columns === 2 ? Math.floor(width / 2) : width;
  // The screen never grows past the terminal: what does not fit is cut at the bottom, so the title and
  // the streams stay pinned at the top instead of scrolling off.
  return (
    <Box flexDirection="column" width={width} height={Math.max(4, height - 1)} overflow="hidden">
      <ToneLine line={view.title} colour={colour} bold />
      <Tabs tabs={view.tabs} colour={colour} />
      {view.help !== null ? (
        <LineList lines={view.help} colour={colour} bordered />
      ) : view.waiting !== null ? (
        <LineList lines={view.waiting} colour={colour} />
      ) : (
        <Box
          flexDirection={view.columns === 2 ? 'row' : 'column'}
          flexGrow={1}
          flexShrink={1}
          overflow="hidden"
        >
          <Box flexDirection="column" width={column}>
            {view.left.map((panel) => (
              <PanelBox key={panel.title} panel={panel} colour={colour} width={column} />
            ))}
          </Box>
          <Box flexDirection="column" width={column}>
            {view.right.map((panel) => (
              <PanelBox key={panel.title} panel={panel} colour={colour} width={column} />
            ))}
          </Box>
        </Box>
      )}
      <ToneLine line={view.footer} colour={colour} />
    </Box>
  );
}
