import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { formatMetric, percent } from '../core/index.js';
import { DecisionTable } from '../journal/index.js';
import { engineRows } from '../journal/test-support/engine-rows.js';
import { generateSeries } from '../market/index.js';
import { timeframe, tsMs } from '../time/index.js';
import { candleChart, divergingColour, equityChart, heatmap, histogram, lineChart } from './charts.js';
import { candlesOf, decisionMarkers } from './overlays.js';
import { rendered } from './show.js';
import { percentDecimals, ticks } from './svg-frame.js';

/** Parses an SVG strictly (a malformed one throws) and returns its document. */
function parse(svg: string) {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => errors.push(`${level}: ${message}`),
  }).parseFromString(svg, 'image/svg+xml');
  expect(errors).toEqual([]);
  expect(doc.documentElement?.nodeName).toBe('svg');
  return doc;
}
const count = (svg: string, tag: string, cls: string) =>
  Array.from(parse(svg).getElementsByTagName(tag)).filter((e) =>
    (e.getAttribute('class') ?? '').split(' ').includes(cls),
  ).length;

const T0 = Date.UTC(2024, 0, 1);

describe('SVG charts', () => {
  it('draws one polyline per series over the data domain, thinning 10k points to the pixels', () => {
    const x = Array.from({ length: 10_000 }, (_, i) => T0 + i * 60_000);
    const chart = lineChart(
      [
        { name: 'a & b', x, y: x.map((_, i) => Math.sin(i / 100) * 10) },
        { name: 'c', x, y: x.map((_, i) => i / 1000) },
      ],
      { title: 'two <lines>', timeX: true },
    );
    expect(count(chart.svg, 'polyline', 'series')).toBe(2);
    expect(chart.series).toBe(2);
    expect(chart.domain.x).toEqual([T0, T0 + 9_999 * 60_000]);
    expect(chart.domain.y[0]).toBeCloseTo(-10, 3);
    expect(chart.domain.y[1]).toBeCloseTo(10, 3);
    const points = parse(chart.svg).getElementsByTagName('polyline')[0]!.getAttribute('points')!.split(' ');
    expect(points.length).toBeLessThan(3 * 720);
    expect(points.length).toBeGreaterThan(640);
    expect(chart.svg).toContain('two &lt;lines&gt;');
  });

  it('draws candles with entry, exit, stop and skip markers', () => {
    const bars = Array.from({ length: 50 }, (_, i) => ({
      ts: T0 + i * 300_000,
      open: 100 + i,
      high: 103 + i,
      low: 98 + i,
      close: 100 + i + (i % 2 === 0 ? 1 : -1),
    }));
    const chart = candleChart(bars, [
      { ts: bars[5]!.ts, price: 105, kind: 'entry' },
      { ts: bars[9]!.ts, price: 109, kind: 'exit' },
      { ts: bars[20]!.ts, price: 118, kind: 'stop' },
      { ts: bars[30]!.ts, price: 130, kind: 'skip', label: 'bar_missing' },
    ]);
    expect(count(chart.svg, 'g', 'candle')).toBe(50);
    for (const kind of ['entry', 'exit', 'stop', 'skip']) expect(count(chart.svg, 'path', kind)).toBe(1);
    expect(chart.domain.y).toEqual([98, 152]);
  });

  it('bins a histogram and colours a heatmap, NaN cells marked', () => {
    const data = Array.from({ length: 1000 }, (_, i) => (i % 100) / 10);
    const h = histogram(data, 10);
    expect(count(h.svg, 'rect', 'bin')).toBe(10);
    expect(h.domain.y[1]).toBe(100);
    const map = heatmap(
      ['5', '10'],
      ['20', '30', '40'],
      [
        [1, 2, 3],
        [4, Number.NaN, 6],
      ],
    );
    expect(count(map.svg, 'rect', 'cell')).toBe(6);
    // Labelled with its categories, rows top down: row '5' above row '10'.
    const labels = Array.from(parse(map.svg).getElementsByTagName('text')).map((t) => [
      t.textContent,
      Number(t.getAttribute('y')),
    ]);
    const yOf = (name: string) => labels.find(([text]) => text === name)![1] as number;
    for (const name of ['20', '30', '40']) expect(labels.map(([text]) => text)).toContain(name);
    expect(yOf('5')).toBeLessThan(yOf('10'));
    const first = Array.from(parse(map.svg).getElementsByTagName('rect')).find(
      (e) => e.getAttribute('class') === 'cell',
    )!;
    expect(Number(first.getAttribute('y'))).toBeLessThan(yOf('10'));
    expect(map.svg).toContain('>n/a<');
    const eq = equityChart([T0, T0 + 1, T0 + 2, T0 + 3], [100, 110, 99, 120]);
    expect(count(eq.svg, 'polyline', 'series')).toBe(2);
  });

  it('picks round ticks, and shows charts as SVG, rows as HTML tables, objects as key/value', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(97, 152)).toEqual([100, 120, 140]);
    expect(ticks(-0.33, 1e-17)).toEqual([-0.3, -0.2, -0.1, 0]);
    const chart = histogram([1, 2, 3]);
    const image = rendered(chart);
    expect(image.mime).toBe('html');
    const src = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(image.data)![1]!;
    expect(Buffer.from(src, 'base64').toString()).toBe(chart.svg);
    const table = rendered([{ a: 1, b: '<x>' }, { a: Number.NaN }]);
    expect(table.mime).toBe('html');
    expect(table.data).toContain('<td>&lt;x&gt;</td>');
    expect(table.data).toContain('<td>n/a</td>');
    expect(rendered({ trades: 3 }).data).toContain('<td>trades</td><td>3</td>');
    expect(rendered('hi')).toEqual({ mime: 'text', data: 'hi' });
  });

  it('marks the entries, exits, stops and skips of a journal on its candles', () => {
    const rows = engineRows(3000, 4);
    const markers = decisionMarkers(DecisionTable.fromRows('x', rows));
    const count = (kind: string) => markers.filter((m) => m.kind === kind).length;
    const opens = rows.filter((r) => r.action.startsWith('enter_') || r.action.startsWith('reverse_'));
    expect(count('entry')).toBe(opens.length);
    expect(count('stop')).toBe(rows.filter((r) => r.reason === 'stop_hit').length);
    expect(count('exit') + count('stop')).toBe(rows.filter((r) => r.action.startsWith('exit_')).length);
    expect(count('skip')).toBe(rows.filter((r) => r.action === 'skip' && Number.isFinite(r.close)).length);
    expect(opens.length).toBeGreaterThan(0);
    expect(markers.find((m) => m.kind === 'entry')).toMatchObject({
      ts: opens[0]!.ts_ms,
      price: opens[0]!.fill_price,
    });
    const series = generateSeries({ seed: 1, timeframe: timeframe('5m'), startTs: tsMs(T0) }, 40);
    const candles = candlesOf(series);
    expect(candles).toHaveLength(40);
    expect(candles[7]).toEqual({
      ts: series.ts[7],
      open: series.open[7],
      high: series.high[7],
      low: series.low[7],
      close: series.close[7],
    });
  });

  it('say what their axes measure: titles, time ticks at natural boundaries, and legends', () => {
    const bars = Array.from({ length: 288 }, (_, i) => ({
      ts: Date.UTC(2024, 1, 23) + (i + 1) * 300_000,
      open: 100,
      high: 101,
      low: 99,
      close: 100.5,
    }));
    const candles = candleChart(bars, [
      { ts: bars[5]!.ts, price: 100, kind: 'entry' },
      { ts: bars[9]!.ts, price: 101, kind: 'exit' },
    ]);
    expect(candles.axes.yTitle).toBe('price');
    expect(candles.axes.xTitle).toBe('time (UTC)');
    // A day of 5m bars (00:05 .. 24:00) on 720 pixels: every 6 hours, the day named where it turns.
    expect(candles.axes.x).toEqual([
      [Date.UTC(2024, 1, 23, 6), '2024-02-23 06:00'],
      [Date.UTC(2024, 1, 23, 12), '12:00'],
      [Date.UTC(2024, 1, 23, 18), '18:00'],
      [Date.UTC(2024, 1, 24), '02-24'],
    ]);
    expect(candles.legend).toEqual(['entry (at its fill)', 'exit (at its fill)']);
    const text = Array.from(parse(candles.svg).getElementsByTagName('text')).map((t) => t.textContent);
    expect(text).toEqual(expect.arrayContaining(['price', 'time (UTC)', '02-24', 'entry (at its fill)']));
    expect(histogram([1, 2, 3], 3, { xTitle: 'return (bp)' }).axes).toMatchObject({
      xTitle: 'return (bp)',
      yTitle: 'count',
    });
    const lines = lineChart(
      [
        { name: 'accuracy', x: [1, 2, 3], y: [0.5, 0.6, 0.55] },
        { name: 'up share', x: [1, 2, 3], y: [0.5, 0.5, 0.5] },
      ],
      { xTitle: 'fold', yTitle: 'share of test rows', yFormat: (v) => `${(v * 100).toFixed(0)}%` },
    );
    expect(lines.legend).toEqual(['accuracy', 'up share']);
    expect(lines.axes.y.map(([, label]) => label)).toContain('50%');
    // The drawdown below the equity reads in percent.
    const eq = equityChart(
      Array.from({ length: 4 }, (_, i) => T0 + i * 86_400_000),
      [100, 110, 99, 120],
    );
    expect(eq.axes.yTitle).toBe('equity');
    // One precision on every drawdown tick, as many decimals as the ticks need (-0.25%, not -0.3%).
    expect(eq.svg).toMatch(/>-10%<.*>-8%<.*>0%</);
    const shallow = equityChart(
      Array.from({ length: 4 }, (_, i) => T0 + i * 86_400_000),
      [10_000, 10_000, 9_900, 9_950],
    );
    expect(shallow.svg).toMatch(/>-1\.0%<.*>-0\.8%<.*>-0\.6%<.*>-0\.4%<.*>-0\.2%<.*>0\.0%</);
    expect(percentDecimals([0, -0.0025, -0.005])).toBe(2);
    expect(percentDecimals([0.45, 0.5, 0.55])).toBe(0);
  });

  it('colour signed cells on a scale centred on 0 with its legend: all-negative cells are all red', () => {
    expect(divergingColour(0, 1)).toBe('rgb(255,255,255)');
    expect(divergingColour(-1, 1)).toBe('rgb(215,48,39)');
    expect(divergingColour(1, 1)).toBe('rgb(26,152,80)');
    const values = [
      [-0.00306, -0.00121],
      [-0.000353, -0.0019],
    ];
    const map = heatmap(['5', '10'], ['30', '50'], values, {
      format: (v) => percent(v, 3),
      xTitle: 'slow',
      yTitle: 'fast',
    });
    const fills = Array.from(parse(map.svg).getElementsByTagName('rect'))
      .filter((e) => e.getAttribute('class') === 'cell')
      .map((e) => e.getAttribute('fill')!);
    const rgb = (fill: string) => fill.match(/\d+/g)!.map(Number);
    // Every cell red (more red than green); the least negative the palest, the most negative full red.
    for (const fill of fills) expect(rgb(fill)[0]!).toBeGreaterThan(rgb(fill)[1]!);
    expect(fills[0]).toBe('rgb(215,48,39)');
    expect(rgb(fills[2]!)[1]).toBeGreaterThan(rgb(fills[1]!)[1]!);
    const text = Array.from(parse(map.svg).getElementsByTagName('text')).map((t) => t.textContent);
    expect(text).toEqual(
      expect.arrayContaining(['-0.306%', '-0.035%', '-0.121%', '0.000%', '0.306%', 'slow', 'fast']),
    );
    expect(count(map.svg, 'g', 'colour-legend')).toBe(1);
  });

  it('format table numbers as the CLI does, and say the ratios are annualised', () => {
    const table = rendered({
      total_return: -0.003292954474,
      sharpe: -60.63096644,
      trades: 3,
      win_rate: 0.5,
    }).data;
    expect(table).toContain('<td>total_return</td><td>-0.33%</td>');
    expect(table).toContain('<td>sharpe (annualised)</td><td>-60.63</td>');
    expect(table).toContain('<td>trades</td><td>3</td>');
    expect(table).toContain('<td>win_rate</td><td>50.0%</td>');
    const rows = rendered([{ entry_price: 42123.456789, pnl: -3.2929544, sortino: Number.NaN }]).data;
    expect(rows).toContain('<th>sortino (annualised)</th>');
    expect(rows).toContain('<td>42123.5</td><td>-3.29295</td><td>n/a</td>');
    expect(formatMetric('total_return', -0.003292954474)).toBe('-0.33%');
  });
});
