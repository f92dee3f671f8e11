import { Box, Text } from 'ink';
import { colourOf } from '../palette.js';
import type { Tab } from '../view-model.js';

/** The streams, the selected one marked; each in the tone of its health. */
export function Tabs({ tabs, colour }: { tabs: readonly Tab[]; colour: boolean }) {
  if (tabs.length < 2) return null;
  return (
    <Box>
      <Text wrap="truncate-end">
        {tabs.map((tab, i) => {
          const color = colourOf(tab.tone, colour);
          return (
            <Text key={tab.label} inverse={tab.selected} {...(color === undefined ? {} : { color })}>
              {`${i === 0 ? '' : '  '}${tab.selected ? '▸ ' : '  '}${tab.label}`}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
