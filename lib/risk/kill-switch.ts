import { existsSync, readFileSync } from 'node:fs';

/** The kill switch's state: what the engine's context carries, and what health reports. */
export interface KillSwitch {
  readonly killSwitch: boolean;
  readonly flatten: boolean;
}

/**
 * The kill switch (runbook 001): the presence of `state/kill_switch.flag` halts new entries; a flag
 * file whose text contains "flatten" also closes open positions. Read before every decision batch.
 */
export function readKillSwitch(path: string): KillSwitch {
  if (!existsSync(path)) return { killSwitch: false, flatten: false };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // Unreadable still means "present": halting is the safe reading.
  }
  return { killSwitch: true, flatten: /flatten/i.test(text) };
}
