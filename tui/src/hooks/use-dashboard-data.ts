import { useEffect, useState } from 'react';
import type { DashboardSources } from '../sources.js';
import type { DashboardData } from '../view-model.js';

/**
 * The sources polled: journals every `pollMs` (from byte offsets), the healthcheck every `healthMs`
 * (one at a time). Re-renders only when something changed.
 */
export function useDashboardData(sources: DashboardSources, pollMs: number, healthMs: number): DashboardData {
  const [data, setData] = useState(() => {
    sources.refresh();
    return sources.data();
  });
  useEffect(() => {
    let alive = true;
    const poll = setInterval(() => {
      if (sources.refresh() > 0) setData(sources.data());
    }, pollMs);
    // The clock moves even when no row does (bar age): a redraw a second at least.
    const tick = setInterval(() => setData(sources.data()), Math.max(pollMs, 1000));
    let checking = false;
    const check = async () => {
      if (checking) return;
      checking = true;
      await sources.checkHealth();
      checking = false;
      if (alive) setData(sources.data());
    };
    void check();
    const health = setInterval(() => void check(), healthMs);
    return () => {
      alive = false;
      clearInterval(poll);
      clearInterval(tick);
      clearInterval(health);
    };
  }, [sources, pollMs, healthMs]);
  return data;
}
