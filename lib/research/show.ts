import { createRequire } from 'node:module';
import { formatMetric } from '../core/index.js';
import { escapeXml, type SvgChart } from './svg-frame.js';

/** What a notebook front end can show: tslab's `display` has these (one MIME type per call). */
export interface Display {
  html(s: string): void;
  svg(s: string): void;
  text(s: string): void;
}

/**
 * tslab's display when this runs in a tslab kernel, else null: the kernel's own tslab (its main module
 * is loaded) has its public module beside it, the one `import * as tslab from 'tslab'` gives a cell.
 */
function tslabDisplay(): Display | null {
  const main = Object.keys(createRequire(import.meta.url).cache).find((path) =>
    /[\\/]tslab[\\/]dist[\\/]main\.js$/.test(path),
  );
  if (main === undefined) return null;
  return (createRequire(main)('./public.js') as { display?: Display }).display ?? null;
}

/** Text on stdout: outside a kernel (a script, a test), `show` prints. */
const consoleDisplay: Display = {
  html: (s) =>
    process.stdout.write(
      `${s
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()}\n`,
    ),
  svg: (s) => process.stdout.write(`[svg chart, ${s.length} bytes]\n`),
  text: (s) => process.stdout.write(`${s}\n`),
};

/** A value as a table shows it: numbers as the CLI prints the metric its column (or key) names. */
const cell = (name: string, v: unknown) => {
  if (typeof v === 'number') return escapeXml(formatMetric(name, v));
  return escapeXml(v === null || v === undefined ? '' : String(v));
};

/** A column's heading: ratios say they are annualised. */
const heading = (name: string) => (/^(sharpe|sortino)$/i.test(name) ? `${name} (annualised)` : name);

/**
 * Rows of objects as an HTML table (the first `limit` rows, and how many were left out), numbers
 * formatted by their column as the CLI formats them (returns as percentages, ratios with 2 decimals).
 */
export function htmlTable(rows: readonly Readonly<Record<string, unknown>>[], limit = 50): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = `<tr>${columns.map((c) => `<th>${escapeXml(heading(c))}</th>`).join('')}</tr>`;
  const body = rows
    .slice(0, limit)
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(c, r[c])}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > limit ? `<p>${rows.length - limit} more row(s)</p>` : '';
  return `<table class="mjolnir"><thead>${head}</thead><tbody>${body}</tbody></table>${more}`;
}

/**
 * A chart as an HTML image of its SVG. Not `display.svg`: nbconvert 6.5 (Debian's) passes SVG outputs
 * through lxml's cleaner when exporting to HTML, which strips every SVG element; an image survives
 * that, classic Notebook, JupyterLab and their sanitizers alike. (`tslab.display.svg(chart.svg)` shows
 * the raw SVG where that is wanted.)
 */
export function chartHtml(chart: SvgChart): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(chart.svg).toString('base64')}`;
  return `<img class="mjolnir-chart" alt="chart" src="${src}">`;
}

const isChart = (x: unknown): x is SvgChart => (x as SvgChart | null)?.kind === 'svg';
const isFrame = (x: unknown): x is { columns: string[]; values: unknown[][] } =>
  typeof x === 'object' && x !== null && Array.isArray((x as { columns?: unknown }).columns) && 'values' in x;

/** The HTML, SVG or text that `show` would display for `x`. */
export function rendered(x: unknown): { readonly mime: 'html' | 'svg' | 'text'; readonly data: string } {
  if (isChart(x)) return { mime: 'html', data: chartHtml(x) };
  if (typeof x === 'string') return { mime: 'text', data: x };
  if (isFrame(x)) {
    const rows = x.values.map((values) => Object.fromEntries(x.columns.map((c, i) => [c, values[i]])));
    return { mime: 'html', data: htmlTable(rows) };
  }
  if (Array.isArray(x) && x.every((r) => typeof r === 'object' && r !== null))
    return { mime: 'html', data: htmlTable(x as Record<string, unknown>[]) };
  if (typeof x === 'object' && x !== null)
    return {
      mime: 'html',
      data: keyValueTable(x as Record<string, unknown>),
    };
  return { mime: 'text', data: String(x) };
}

/** An object as a key/value table, each value formatted by its key. */
function keyValueTable(record: Readonly<Record<string, unknown>>): string {
  const body = Object.entries(record)
    .map(([key, value]) => {
      const shown = typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
      return `<tr><td>${escapeXml(heading(key))}</td><td>${cell(key, shown)}</td></tr>`;
    })
    .join('');
  return `<table class="mjolnir"><thead><tr><th>key</th><th>value</th></tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * Shows `x` the right way: a chart as an image of its SVG, rows or a DataFrame as an HTML table, an object as a
 * key/value table, anything else as text. In a tslab kernel through its `display`; elsewhere printed.
 */
export function show(x: unknown, display: Display | null = tslabDisplay()): void {
  const { mime, data } = rendered(x);
  (display ?? consoleDisplay)[mime](data);
}
