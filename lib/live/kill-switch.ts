import { existsSync, readFileSync } from 'node:fs';
import type { EngineContext } from '../engine/index.js';

/**
 * The kill switch (runbook 001): the presence of `state/kill_switch.flag` halts new entries; a flag
 * file whose text contains "flatten" also closes open positions. Read before every decision batch.
 */
export function readKillSwitch(path: string): EngineContext {
  if (!existsSync(path)) return { killSwitch: false, flatten: false };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // Unreadable still means "present": halting is the safe reading.
  }
  return { killSwitch: true, flatten: /flatten/i.test(text) };
}
