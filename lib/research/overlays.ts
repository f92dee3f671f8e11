import { ACTIONS, REASONS } from '../engine/index.js';
import type { DecisionTable } from '../journal/index.js';
import type { BarSeries } from '../market/index.js';
import type { Candle, Marker } from './charts.js';

/** A lake's bars as candles (the first `length` of the series). */
export function candlesOf(series: BarSeries): Candle[] {
  return Array.from({ length: series.length }, (_, i) => ({
    ts: series.ts[i]!,
    open: series.open[i]!,
    high: series.high[i]!,
    low: series.low[i]!,
    close: series.close[i]!,
  }));
}

/**
 * A journal's decisions as chart markers: entries and reversals at their fill, exits at their fill
 * (stops marked as stops), skips at the bar's close (or nowhere without one). Holds are not marked.
 */
export function decisionMarkers(table: DecisionTable): Marker[] {
  const markers: Marker[] = [];
  for (let i = 0; i < table.length; i++) {
    const action = ACTIONS[table.action.get(i)]!;
    const reason = REASONS[table.reason.get(i)]!;
    const ts = table.ts.get(i);
    const fill = table.fill.get(i);
    const label = `${action} ${reason}`;
    if (action === 'skip') {
      const close = table.close.get(i);
      if (Number.isFinite(close)) markers.push({ ts, price: close, kind: 'skip', label });
    } else if (action.startsWith('enter_') || action.startsWith('reverse_')) {
      markers.push({ ts, price: fill, kind: 'entry', label });
    } else if (action.startsWith('exit_')) {
      markers.push({ ts, price: fill, kind: reason === 'stop_hit' ? 'stop' : 'exit', label });
    }
  }
  return markers;
}
