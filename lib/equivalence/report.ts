import { isoUtc } from '../time/index.js';
import type { EqResult, Mismatch } from './compare.js';

const verdictWord = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

function block(layer: string, result: EqResult, mismatch: Mismatch): string[] {
  const at =
    layer === 'decisions'
      ? `ts_ms ${mismatch.at}${Number.isFinite(mismatch.at) ? ` (${isoUtc(mismatch.at)})` : ''}`
      : `trade index ${mismatch.at}`;
  return [
    '',
    `Layer: ${layer}`,
    `Window overlap: [${result.window?.start ?? '-'}, ${result.window?.end ?? '-'}]${result.syncTs === null ? '' : ` (synced at flat from ${result.syncTs})`}`,
    `First mismatch (${layer === 'decisions' ? 'ts_ms' : 'trade index'}): ${at}`,
    `  LIVE: ${mismatch.live}`,
    `  BT:   ${mismatch.bt}`,
    `  ${mismatch.verdict}`,
  ];
}

/**
 * The equivalence report as the runbooks and docs/contracts.md print it: the three verdict lines, then on
 * FAIL a mismatch block per failing layer (layer, overlap window, first mismatch with both rows).
 */
export function formatEq(result: EqResult, header: string): string {
  const lines = [
    header,
    result.window === null
      ? 'overlap: none'
      : `overlap: [${result.window.start}, ${result.window.end}] ${isoUtc(result.window.start)} .. ${isoUtc(result.window.end)}; ` +
        `${result.decisions.compared} bars and ${result.trades.compared} trades compared` +
        `${result.syncTs === null ? '' : `, synced at flat from ${isoUtc(result.syncTs)}`}; ` +
        `PnL LIVE ${result.pnl.live.toFixed(2)} BT ${result.pnl.bt.toFixed(2)} (PnL differences alone do not fail)`,
    `[decisions] ${verdictWord(result.decisions.pass)}`,
    `[trades]    ${verdictWord(result.trades.pass)}`,
    `OVERALL ${verdictWord(result.overall)}`,
  ];
  if (result.decisions.mismatch) lines.push(...block('decisions', result, result.decisions.mismatch));
  if (result.trades.mismatch) lines.push(...block('trades', result, result.trades.mismatch));
  return `${lines.join('\n')}\n`;
}
