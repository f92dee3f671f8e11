import { appendFileSync } from 'node:fs';

/** 1m bars from 2006: 10M of them end in 2025. */
export const BAR = 60_000;
export const FIRST = Date.UTC(2006, 0, 1);

/** A decision line as the paper loop writes them, at slot `k` (cells varying with k like real ones). */
export function line(k: number): string {
  const ts = FIRST + k * BAR;
  const close = (30_000 + (k % 977) * 1.25).toFixed(2);
  const action = k % 41 === 0 ? 'enter_long' : k % 43 === 0 ? 'exit_long' : 'hold';
  const reason = action === 'hold' ? 'no_signal' : action === 'enter_long' ? 'entry_signal' : 'exit_signal';
  const time = new Date(ts).toISOString();
  return `sim,BTC/USDT,1m,${ts},${action},${reason},flat,${close},,,,10000,${((k * 2654435761) >>> 0).toString(16).padStart(16, '0')},ema_fast=${close};ema_slow=${close};atr=12.5,ema_cross_atr,,5f3a9c21,${time}\n`;
}

export function write(path: string, from: number, count: number): void {
  const lines: string[] = [];
  for (let k = from; k < from + count; k++) {
    lines.push(line(k));
    if (lines.length === 100_000) {
      appendFileSync(path, lines.join(''));
      lines.length = 0;
    }
  }
  if (lines.length > 0) appendFileSync(path, lines.join(''));
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
