import { escapeXml, extent, Frame, type FrameOptions, PALETTE, type SvgChart } from './svg-frame.js';

/** A line: x (epoch ms when the chart's x is time) and y of the same length. */
export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
}

const values = (a: ArrayLike<number>): number[] => Array.from(a);

/**
 * The points of a line thinned to about two per pixel column (the first, min and max of each column,
 * so spikes survive): a 10k-point series draws as ~1.4k points.
 */
function thin(frame: Frame, s: Series): string {
  const columns = new Map<number, { first: [number, number]; lo: [number, number]; hi: [number, number] }>();
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i]!;
    const y = s.y[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const column = Math.round(frame.sx(x));
    const c = columns.get(column);
    if (c === undefined) columns.set(column, { first: [x, y], lo: [x, y], hi: [x, y] });
    else {
      if (y < c.lo[1]) c.lo = [x, y];
      if (y > c.hi[1]) c.hi = [x, y];
    }
  }
  const points: string[] = [];
  for (const c of columns.values()) {
    const seen = new Set<string>();
    for (const [x, y] of [c.first, c.lo, c.hi].sort((a, b) => a[0] - b[0])) {
      const p = `${frame.sx(x).toFixed(1)},${frame.sy(y).toFixed(1)}`;
      if (!seen.has(p)) points.push(p);
      seen.add(p);
    }
  }
  return points.join(' ');
}

/** Lines over a shared x axis (time when `timeX`). */
export function lineChart(series: readonly Series[], options: FrameOptions = {}): SvgChart {
  const frame = new Frame(
    options,
    extent(series.flatMap((s) => values(s.x))),
    extent(series.flatMap((s) => values(s.y))),
  );
  series.forEach((s, i) => {
    frame.add(
      `<polyline class="series" data-name="${s.name.replace(/"/g, '')}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5" points="${thin(frame, s)}"/>`,
    );
  });
  return frame.chart(series.length, series.length > 1 ? series.map((s) => s.name) : []);
}

/** Equity with its drawdown below it (two charts in one SVG, shared time axis). */
export function equityChart(
  ts: ArrayLike<number>,
  equity: ArrayLike<number>,
  options: FrameOptions = {},
): SvgChart {
  const drawdown: number[] = [];
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (Number.isFinite(e)) peak = Math.max(peak, e);
    drawdown.push(Number.isFinite(e) && peak > 0 ? -((peak - e) / peak) * 100 : Number.NaN);
  }
  const width = options.width ?? 720;
  const top = lineChart([{ name: 'equity', x: ts, y: equity }], { ...options, timeX: true, height: 240 });
  const bottom = lineChart([{ name: 'drawdown %', x: ts, y: drawdown }], {
    title: 'drawdown %',
    width,
    height: 140,
    timeX: true,
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="380" viewBox="0 0 ${width} 380">${top.svg}<g transform="translate(0,240)">${bottom.svg}</g></svg>`;
  return { kind: 'svg', svg, series: 2, domain: top.domain };
}

/** One OHLC bar. */
export interface Candle {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** A mark on a candle chart: an entry, an exit, a stop or a skip at a bar. */
export interface Marker {
  readonly ts: number;
  readonly price: number;
  readonly kind: 'entry' | 'exit' | 'stop' | 'skip';
  readonly label?: string;
}

const MARK = {
  entry: { fill: '#2ca02c', path: (x: number, y: number) => `M${x},${y - 7} l5,9 l-10,0 z` },
  exit: { fill: '#d62728', path: (x: number, y: number) => `M${x},${y + 7} l5,-9 l-10,0 z` },
  stop: { fill: '#ff7f0e', path: (x: number, y: number) => `M${x - 4},${y - 4} l8,8 m0,-8 l-8,8` },
  skip: { fill: '#999', path: (x: number, y: number) => `M${x - 3},${y} a3,3 0 1,0 6,0 a3,3 0 1,0 -6,0` },
};

/** Candles (time on x) with decisions and trades marked on them. */
export function candleChart(
  bars: readonly Candle[],
  markers: readonly Marker[] = [],
  options: FrameOptions = {},
): SvgChart {
  const frame = new Frame(
    { ...options, timeX: true },
    extent(bars.map((b) => b.ts)),
    extent([...bars.flatMap((b) => [b.low, b.high]), ...markers.map((m) => m.price)]),
  );
  const spacing = bars.length > 1 ? frame.sx(bars[1]!.ts) - frame.sx(bars[0]!.ts) : 8;
  const body = Math.max(1, Math.min(12, spacing * 0.7));
  for (const b of bars) {
    const x = frame.sx(b.ts);
    const up = b.close >= b.open;
    const colour = up ? '#2ca02c' : '#d62728';
    const top = frame.sy(Math.max(b.open, b.close));
    const height = Math.max(1, frame.sy(Math.min(b.open, b.close)) - top);
    frame.add(
      `<g class="candle"><line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${frame.sy(b.high).toFixed(1)}" y2="${frame.sy(b.low).toFixed(1)}" stroke="${colour}"/><rect x="${(x - body / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${body.toFixed(1)}" height="${height.toFixed(1)}" fill="${up ? 'white' : colour}" stroke="${colour}"/></g>`,
    );
  }
  for (const m of markers) {
    const { fill, path } = MARK[m.kind];
    const stroke = m.kind === 'stop' ? ` stroke="${fill}" stroke-width="2"` : '';
    frame.add(
      `<path class="marker ${m.kind}" d="${path(frame.sx(m.ts), frame.sy(m.price))}" fill="${fill}"${stroke}><title>${m.label ?? m.kind}</title></path>`,
    );
  }
  return frame.chart(bars.length);
}

/** A histogram of `data` in `bins` equal bins. */
export function histogram(data: ArrayLike<number>, bins = 30, options: FrameOptions = {}): SvgChart {
  const finite = values(data).filter(Number.isFinite);
  const [lo, hi] = extent(finite);
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  const frame = new Frame(options, [lo, hi], [0, Math.max(1, ...counts)]);
  counts.forEach((count, i) => {
    const x0 = frame.sx(lo + i * width);
    const x1 = frame.sx(lo + (i + 1) * width);
    const y = frame.sy(count);
    frame.add(
      `<rect class="bin" x="${x0.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(frame.sy(0) - y).toFixed(1)}" fill="${PALETTE[0]}"><title>${count}</title></rect>`,
    );
  });
  return frame.chart(bins);
}

/** A grid of values (a sweep: rows x columns), coloured from low (red) to high (green); NaN grey. */
export function heatmap(
  rows: readonly string[],
  columns: readonly string[],
  cells: readonly (readonly number[])[],
  options: FrameOptions = {},
): SvgChart {
  const [lo, hi] = extent(cells.flat());
  // Rows top down, as a table reads; each axis labelled with its categories.
  const frame = new Frame(options, [0, columns.length], [0, rows.length], {
    x: columns,
    y: [...rows].reverse(),
  });
  const colour = (v: number) => {
    if (!Number.isFinite(v)) return '#ccc';
    const t = (v - lo) / (hi - lo || 1);
    return `rgb(${Math.round(215 - 170 * t)},${Math.round(48 + 140 * t)},${Math.round(39 + 40 * t)})`;
  };
  rows.forEach((row, r) => {
    columns.forEach((column, c) => {
      const v = cells[r]?.[c] ?? Number.NaN;
      const x = frame.sx(c);
      const band = rows.length - 1 - r;
      const y = frame.sy(band + 1);
      const w = frame.sx(c + 1) - x;
      const h = frame.sy(band) - y;
      frame.add(
        `<rect class="cell" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour(v)}"><title>${escapeXml(`${row} / ${column}: ${v}`)}</title></rect><text x="${(x + w / 2).toFixed(1)}" y="${(y + h / 2).toFixed(1)}" font-size="10" text-anchor="middle" dominant-baseline="middle">${Number.isFinite(v) ? +v.toPrecision(3) : 'n/a'}</text>`,
      );
    });
  });
  return frame.chart(rows.length * columns.length);
}
