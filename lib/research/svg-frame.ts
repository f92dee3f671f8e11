import { timeTicks } from './time-ticks.js';

/** A chart rendered on the server to SVG: it shows the same in Notebook, JupyterLab and exported HTML. */
export interface SvgChart {
  readonly kind: 'svg';
  readonly svg: string;
  /** What was drawn, for tests and captions: series (or bars, cells) and the axis domains. */
  readonly series: number;
  readonly domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] };
  /** The axes as drawn: tick positions with their labels, and the axis titles. */
  readonly axes: {
    readonly x: readonly (readonly [number, string])[];
    readonly y: readonly (readonly [number, string])[];
    readonly xTitle: string | null;
    readonly yTitle: string | null;
  };
  /** The legend's keys, in order. */
  readonly legend: readonly string[];
}

export interface FrameOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  /** The x axis holds epoch milliseconds: ticks at whole hours, days, weeks, months (UTC). */
  readonly timeX?: boolean;
  /** What the x axis measures, under it (a time axis says "time (UTC)" unless told). */
  readonly xTitle?: string;
  /** What the y axis measures, beside it. */
  readonly yTitle?: string;
  /** How y tick labels read; default 6 significant digits. */
  readonly yFormat?: (value: number) => string;
  /** The y values are fractions: ticks read as percentages, with as many decimals as the ticks need. */
  readonly yPercent?: boolean;
}

/** One key of a legend: a swatch of a colour, a line, or a marker's path drawn at (5, 5). */
export interface LegendEntry {
  readonly name: string;
  readonly colour: string;
  readonly shape?: 'swatch' | 'line' | { readonly path: string; readonly stroke?: boolean };
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];
export const MARGIN = { top: 28, right: 40, bottom: 46, left: 76 };

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (v: number) =>
  Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(+v.toPrecision(6));

/** A legend key's glyph in a 12 x 12 box. */
function glyph(entry: LegendEntry): string {
  const shape = entry.shape ?? 'swatch';
  if (shape === 'swatch') return `<rect width="10" height="10" fill="${entry.colour}"/>`;
  if (shape === 'line')
    return `<line x1="0" x2="12" y1="5" y2="5" stroke="${entry.colour}" stroke-width="2"/>`;
  const paint =
    shape.stroke === true
      ? `fill="none" stroke="${entry.colour}" stroke-width="2"`
      : `fill="${entry.colour}"`;
  return `<path d="${shape.path}" ${paint}/>`;
}

/** The fewest decimals (up to 6) that write every tick, as a percentage, exactly: -0.25% is not -0.3%. */
export function percentDecimals(values: readonly number[]): number {
  for (let d = 0; d < 6; d++)
    if (values.every((v) => Math.abs(Number((v * 100).toFixed(d)) - v * 100) < 1e-9)) return d;
  return 6;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  // Whole multiples of the step (no accumulated error: zero is 0, not -2.8e-17).
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    out.push(+(k * step).toPrecision(12) || 0);
  return out;
}

/** Finite min and max of the values (a flat or empty domain widened so a scale exists). */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values)
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (lo > hi) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** The plot area of a chart and its scales from data to pixels. */
export class Frame {
  readonly width: number;
  readonly height: number;
  private readonly parts: string[] = [];

  constructor(
    readonly options: FrameOptions,
    readonly x: readonly [number, number],
    readonly y: readonly [number, number],
    /** Category axes (a heatmap's): label i names the band [i, i + 1], bottom up for y. */
    private readonly categories?: { readonly x: readonly string[]; readonly y: readonly string[] },
  ) {
    this.width = options.width ?? 720;
    this.height = options.height ?? 300;
  }

  sx(v: number): number {
    const [lo, hi] = this.x;
    return MARGIN.left + ((v - lo) / (hi - lo || 1)) * (this.width - MARGIN.left - MARGIN.right);
  }

  sy(v: number): number {
    const [lo, hi] = this.y;
    return (
      this.height - MARGIN.bottom - ((v - lo) / (hi - lo || 1)) * (this.height - MARGIN.top - MARGIN.bottom)
    );
  }

  add(part: string): void {
    this.parts.push(part);
  }

  /** Tick positions and their labels: natural times, round numbers, or the middle of each category band. */
  private marks(axis: 'x' | 'y'): [number, string][] {
    const names = this.categories?.[axis];
    if (names !== undefined) return names.map((name, i) => [i + 0.5, name]);
    const [lo, hi] = this[axis];
    if (axis === 'x' && this.options.timeX === true)
      return timeTicks(lo, hi, Math.max(3, Math.floor((this.width - MARGIN.left - MARGIN.right) / 85))).map(
        (t) => [t.value, t.label],
      );
    const values = ticks(lo, hi, axis === 'x' ? 6 : 5);
    if (axis === 'y' && this.options.yPercent === true) {
      const decimals = percentDecimals(values);
      return values.map((t) => [t, `${(t * 100).toFixed(decimals)}%`]);
    }
    const label = axis === 'y' ? (this.options.yFormat ?? fmt) : fmt;
    return values.map((t) => [t, label(t)]);
  }

  private axisTitles(): { xTitle: string | undefined; yTitle: string | undefined } {
    return {
      xTitle: this.options.xTitle ?? (this.options.timeX === true ? 'time (UTC)' : undefined),
      yTitle: this.options.yTitle,
    };
  }

  /** The axes' titles: under the x axis, and turned up beside the y axis. */
  private titles(): string {
    const { xTitle, yTitle } = this.axisTitles();
    const middle = (MARGIN.left + this.width - MARGIN.right) / 2;
    const centre = (MARGIN.top + this.height - MARGIN.bottom) / 2;
    return [
      xTitle === undefined
        ? ''
        : `<text class="x-title" x="${middle.toFixed(1)}" y="${this.height - 8}" text-anchor="middle" font-size="12">${escapeXml(xTitle)}</text>`,
      yTitle === undefined
        ? ''
        : `<text class="y-title" transform="translate(14,${centre.toFixed(1)}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yTitle)}</text>`,
    ].join('');
  }

  private axes(): string {
    const out: string[] = [];
    const bottom = this.height - MARGIN.bottom;
    for (const [t, label] of this.marks('y')) {
      const y = this.sy(t).toFixed(1);
      out.push(
        `<line x1="${MARGIN.left}" x2="${this.width - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      );
      out.push(
        `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`,
      );
    }
    for (const [t, label] of this.marks('x')) {
      const x = this.sx(t).toFixed(1);
      out.push(`<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#555"/>`);
      out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle">${escapeXml(label)}</text>`);
    }
    out.push(
      `<line x1="${MARGIN.left}" x2="${this.width - MARGIN.right}" y1="${bottom}" y2="${bottom}" stroke="#555"/>`,
    );
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#555"/>`,
    );
    return `<g class="axes" font-size="11" fill="#333">${out.join('')}${this.titles()}</g>`;
  }

  /** The finished chart; legend keys are names (coloured by the palette, in order) or entries. */
  chart(series: number, legend: readonly (string | LegendEntry)[] = []): SvgChart {
    const title =
      this.options.title === undefined
        ? ''
        : `<text x="${MARGIN.left}" y="18" font-size="14" font-weight="bold">${escapeXml(this.options.title)}</text>`;
    const keys = legend
      .map((key, i) => {
        const entry = typeof key === 'string' ? { name: key, colour: PALETTE[i % PALETTE.length]! } : key;
        return `<g class="key" transform="translate(${this.width - MARGIN.right - 170},${MARGIN.top + 4 + i * 15})"><rect x="-3" y="-2" width="170" height="15" fill="white" fill-opacity="0.8"/>${glyph(entry)}<text x="16" y="9" font-size="11">${escapeXml(entry.name)}</text></g>`;
      })
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${title}${this.axes()}${this.parts.join('')}<g class="legend">${keys}</g></svg>`;
    const { xTitle, yTitle } = this.axisTitles();
    return {
      kind: 'svg',
      svg,
      series,
      domain: { x: [...this.x] as [number, number], y: [...this.y] as [number, number] },
      axes: { x: this.marks('x'), y: this.marks('y'), xTitle: xTitle ?? null, yTitle: yTitle ?? null },
      legend: legend.map((key) => (typeof key === 'string' ? key : key.name)),
    };
  }
}
