import { useApp, useInput, useStdout } from 'ink';
import { useState } from 'react';
import { useDashboardData } from '../hooks/use-dashboard-data.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { DashboardSources } from '../sources.js';
import { buildView } from '../view-model.js';
import { Screen } from './screen.js';

export interface AppProps {
  readonly sources: DashboardSources;
  readonly colour: boolean;
  readonly pollMs: number;
  readonly healthMs: number;
}

/** The dashboard: keys switch streams, toggle the help and quit; everything else is the view model's. */
export function App({ sources, colour, pollMs, healthMs }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const size = useTerminalSize(stdout);
  const data = useDashboardData(sources, pollMs, healthMs);
  const [selected, setSelected] = useState(0);
  const [help, setHelp] = useState(false);
  const count = Math.max(1, data.streams.length);
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) return exit();
    if (help) return setHelp(false);
    if (input === '?') return setHelp(true);
    const back = key.leftArrow || key.upArrow || (key.tab && key.shift);
    if (back) setSelected((s) => (s - 1 + count) % count);
    else if (key.tab || key.rightArrow || key.downArrow) setSelected((s) => (s + 1) % count);
  });
  const view = buildView(data, { selected, help, width: size.columns, height: size.rows });
  return <Screen view={view} colour={colour} width={size.columns} height={size.rows} />;
}
