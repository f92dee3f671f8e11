import { significant } from '../core/index.js';
import {
  escapeXml,
  extent,
  Frame,
  type FrameOptions,
  type LegendEntry,
  PALETTE,
  type SvgChart,
} from './svg-frame.js';

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
  const keys: LegendEntry[] = series.map((s, i) => ({
    name: s.name,
    colour: PALETTE[i % PALETTE.length]!,
    shape: 'line',
  }));
  return frame.chart(series.length, series.length > 1 ? keys : []);
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
    drawdown.push(Number.isFinite(e) && peak > 0 ? -(peak - e) / peak : Number.NaN);
  }
  const width = options.width ?? 720;
  const top = lineChart([{ name: 'equity', x: ts, y: equity }], {
    yTitle: 'equity',
    ...options,
    timeX: true,
    height: 260,
  });
  const bottom = lineChart([{ name: 'drawdown', x: ts, y: drawdown }], {
    title: 'drawdown from the running peak',
    width,
    height: 170,
    timeX: true,
    yTitle: 'drawdown',
    yPercent: true,
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="430" viewBox="0 0 ${width} 430">${top.svg}<g transform="translate(0,260)">${bottom.svg}</g></svg>`;
  return { ...top, svg, series: 2 };
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
  entry: {
    fill: '#2ca02c',
    name: 'entry (at its fill)',
    path: (x: number, y: number) => `M${x},${y - 8} l6,10 l-12,0 z`,
  },
  exit: {
    fill: '#d62728',
    name: 'exit (at its fill)',
    path: (x: number, y: number) => `M${x},${y + 8} l6,-10 l-12,0 z`,
  },
  stop: {
    fill: '#ff7f0e',
    name: 'stop hit',
    path: (x: number, y: number) => `M${x - 4},${y - 4} l8,8 m0,-8 l-8,8`,
  },
  skip: {
    fill: '#999',
    name: 'skipped bar',
    path: (x: number, y: number) => `M${x - 3},${y} a3,3 0 1,0 6,0 a3,3 0 1,0 -6,0`,
  },
};

/** The legend of the marker kinds on a chart, in a fixed order. */
function markerLegend(markers: readonly Marker[]): LegendEntry[] {
  const kinds = (['entry', 'exit', 'stop', 'skip'] as const).filter((kind) =>
    markers.some((m) => m.kind === kind),
  );
  return kinds.map((kind) => ({
    name: MARK[kind].name,
    colour: MARK[kind].fill,
    shape: { path: MARK[kind].path(6, 5), stroke: kind === 'stop' },
  }));
}

/** Candles (time on x) with decisions and trades marked on them. */
export function candleChart(
  bars: readonly Candle[],
  markers: readonly Marker[] = [],
  options: FrameOptions = {},
): SvgChart {
  const frame = new Frame(
    { yTitle: 'price', ...options, timeX: true },
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
    // Outlined, so a green entry stands out on green candles.
    const stroke =
      m.kind === 'stop' ? ` stroke="${fill}" stroke-width="2"` : ' stroke="#222" stroke-width="0.8"';
    frame.add(
      `<path class="marker ${m.kind}" d="${path(frame.sx(m.ts), frame.sy(m.price))}" fill="${fill}"${stroke}><title>${m.label ?? m.kind}</title></path>`,
    );
  }
  return frame.chart(bars.length, markerLegend(markers));
}

/** A histogram of `data` in `bins` equal bins. */
export function histogram(data: ArrayLike<number>, bins = 30, options: FrameOptions = {}): SvgChart {
  const finite = values(data).filter(Number.isFinite);
  const [lo, hi] = extent(finite);
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  const frame = new Frame({ yTitle: 'count', ...options }, [lo, hi], [0, Math.max(1, ...counts)]);
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

/** A heatmap's options: how its values read (cells and legend), besides the frame's. */
export interface HeatmapOptions extends FrameOptions {
  /** How a value reads in its cell and on the colour legend (default 3 significant digits). */
  readonly format?: (value: number) => string;
}

const NEGATIVE = [215, 48, 39] as const;
const POSITIVE = [26, 152, 80] as const;

/**
 * A diverging colour centred on 0: white at 0, red below, green above, as strong as |v| is against
 * the largest |v|; NaN grey. Signed values keep their sign: all-negative cells are all red.
 */
export function divergingColour(value: number, largest: number): string {
  if (!Number.isFinite(value)) return '#ccc';
  const t = largest > 0 ? Math.min(1, Math.abs(value) / largest) : 0;
  const [r, g, b] = value < 0 ? NEGATIVE : POSITIVE;
  const mix = (c: number) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/** The colour legend: a bar from -largest to +largest with 0 marked, in the top margin. */
function colourLegend(frame: Frame, largest: number, format: (v: number) => string): string {
  const width = 150;
  const x = frame.width - 40 - width;
  const steps = 30;
  const cells = Array.from({ length: steps }, (_, i) => {
    const v = -largest + ((i + 0.5) / steps) * 2 * largest;
    return `<rect x="${(x + (i * width) / steps).toFixed(1)}" y="6" width="${(width / steps + 0.5).toFixed(1)}" height="8" fill="${divergingColour(v, largest)}"/>`;
  }).join('');
  const label = (at: number, text: string, anchor: string) =>
    `<text x="${at.toFixed(1)}" y="24" font-size="9" text-anchor="${anchor}">${escapeXml(text)}</text>`;
  return `<g class="colour-legend">${cells}<rect x="${x}" y="6" width="${width}" height="8" fill="none" stroke="#999"/>${label(x, format(-largest), 'start')}${label(x + width / 2, format(0), 'middle')}${label(x + width, format(largest), 'end')}</g>`;
}

/**
 * A grid of values (a sweep: rows x columns) on a diverging colour scale centred on 0 (red below,
 * green above, a legend saying the scale), each cell labelled with its value.
 */
export function heatmap(
  rows: readonly string[],
  columns: readonly string[],
  cells: readonly (readonly number[])[],
  options: HeatmapOptions = {},
): SvgChart {
  const format = options.format ?? ((v: number) => significant(+v.toPrecision(3)));
  const largest = Math.max(0, ...cells.flat().filter(Number.isFinite).map(Math.abs));
  // Rows top down, as a table reads; each axis labelled with its categories.
  const frame = new Frame(options, [0, columns.length], [0, rows.length], {
    x: columns,
    y: [...rows].reverse(),
  });
  rows.forEach((row, r) => {
    columns.forEach((column, c) => {
      const v = cells[r]?.[c] ?? Number.NaN;
      const x = frame.sx(c);
      const band = rows.length - 1 - r;
      const y = frame.sy(band + 1);
      const w = frame.sx(c + 1) - x;
      const h = frame.sy(band) - y;
      const text = Number.isFinite(v) ? format(v) : 'n/a';
      frame.add(
        `<rect class="cell" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${divergingColour(v, largest)}"><title>${escapeXml(`${row} / ${column}: ${text}`)}</title></rect><text x="${(x + w / 2).toFixed(1)}" y="${(y + h / 2).toFixed(1)}" font-size="10" text-anchor="middle" dominant-baseline="middle">${escapeXml(text)}</text>`,
      );
    });
  });
  frame.add(colourLegend(frame, largest, format));
  return frame.chart(rows.length * columns.length);
}
