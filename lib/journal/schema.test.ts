import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, REASONS } from '../engine/index.js';
import { Batch } from './batch.js';
import { ByteSink } from './byte-sink.js';
import { decisionLines, linesOf, tradeLines } from './lines.js';
import { DECISIONS, RowCodec, TRADES } from './row-codec.js';
import {
  type ColumnSpec,
  DECISION_COLUMNS,
  DECISION_SCHEMA,
  type DecisionRow,
  type RowOf,
  type Schema,
  TRADE_COLUMNS,
  TRADE_SCHEMA,
} from './schema.js';
import { DecisionTable } from './table.js';
import { TradeTable } from './trade-table.js';

const cellText = fc.stringMatching(/^[a-zA-Z0-9=;._:/-]{0,24}$/);
const hashText = fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9a-f]{16}$/));

/** Any value of a column, by its kind: every code, empty cells (NaN, ''), any double. */
function anyValue(column: ColumnSpec): fc.Arbitrary<string | number> {
  switch (column.kind) {
    case 'ts':
      return fc.integer({ min: 0, max: 4_102_444_800_000 });
    case 'code':
      return fc.constantFrom(...column.labels!);
    case 'number':
    case 'money':
      return fc.oneof(
        fc.constant(Number.NaN),
        fc.double(),
        fc.integer({ min: -9e12, max: 9e12 }).map((n) => n / 100),
      );
    case 'hash':
      return hashText;
    default:
      return cellText;
  }
}

/** Rows of a schema sharing their fixed cells, ts columns strictly increasing (as a journal's). */
function rowsOf<S extends Schema>(schema: S, max = 40): fc.Arbitrary<RowOf<S>[]> {
  const fixed = schema.filter((c) => c.kind === 'stream' || c.kind === 'run');
  const varying = schema.filter((c) => !['stream', 'run', 'time'].includes(c.kind));
  const constants = fc.record(Object.fromEntries(fixed.map((c) => [c.name, cellText])));
  const row = fc.record(Object.fromEntries(varying.map((c) => [c.name, anyValue(c)])));
  return fc.tuple(constants, fc.array(row, { minLength: 1, maxLength: max })).map(([fixedCells, rows]) => {
    const ts = schema.find((c) => c.kind === 'ts')?.name;
    const seen = new Set<unknown>();
    return rows
      .filter((r) => ts === undefined || (!seen.has(r[ts]) && seen.add(r[ts])))
      .sort((a, b) => (ts === undefined ? 0 : (a[ts] as number) - (b[ts] as number)))
      .map((r) => ({ ...fixedCells, ...r }) as unknown as RowOf<S>);
  });
}

/** What a row reads back as: numbers as written (String, NaN empty; money to 8 decimals). */
function asWritten<S extends Schema>(schema: S, row: RowOf<S>): RowOf<S> {
  const out: Record<string, unknown> = { ...(row as object) };
  for (const column of schema) {
    const x = out[column.name];
    if (typeof x !== 'number' || Number.isNaN(x)) continue;
    const rounded = column.kind === 'money' && Math.abs(x) < 4e7 ? Math.round(x * 1e8) / 1e8 : x;
    out[column.name] = Number(String(rounded));
  }
  return out as RowOf<S>;
}

/** Reads lines back through a schema's codec, cell by cell. */
function decodeAll<S extends Schema>(codec: RowCodec<S>, text: string): RowOf<S>[] {
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => codec.decode(line.split(','), () => `line ${i}`));
}

describe('the journal schema', () => {
  it('round-trips any decision row: row -> bytes -> row, through the codec and the columnar table', () => {
    fc.assert(
      fc.property(rowsOf(DECISION_SCHEMA), (rows) => {
        const text = decisionLines(rows);
        const expected = rows.map((row) => asWritten(DECISION_SCHEMA, row));
        expect(decodeAll(DECISIONS, text)).toEqual(expected);
        const lines = text.slice(0, -1).split('\n');
        const offsets = lines.map((_, i) => lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0));
        const table = new DecisionTable('mem', {
          fields: (offset) => lines[offsets.indexOf(offset)]!.split(','),
        });
        table.append(text, 0);
        expect(table.rows().map(({ line: _, ...row }) => row)).toEqual(expected);
        // time_utc is the row's ts_ms as ISO-8601, derived where it is written.
        lines.forEach((line, i) => {
          expect(line.split(',')[DECISION_COLUMNS.indexOf('time_utc')]).toBe(
            new Date(rows[i]!.ts_ms).toISOString(),
          );
        });
      }),
      { numRuns: 400 },
    );
  });

  it('writes and reads every action and every reason code', () => {
    const base = decisionRowOf({});
    const rows = REASONS.flatMap((reason, r) =>
      ACTIONS.map((action, a) => ({ ...base, ts_ms: (r * ACTIONS.length + a) * 60_000, action, reason })),
    ) as DecisionRow[];
    const table = DecisionTable.fromRows('mem', rows);
    expect(table.rows().map((row) => [row.action, row.reason])).toEqual(
      rows.map((row) => [row.action, row.reason]),
    );
  });

  it('round-trips any trade row through the codec and the trade table', () => {
    fc.assert(
      fc.property(rowsOf(TRADE_SCHEMA, 10), (rows) => {
        const text = tradeLines(rows);
        const expected = rows.map((row) => asWritten(TRADE_SCHEMA, row));
        expect(decodeAll(TRADES, text)).toEqual(expected);
        const table = new TradeTable('mem');
        table.append(text);
        expect(table.rows.map(({ line: _, ...row }) => row)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('is the one place a column is added: a schema with one more column writes, reads and heads it everywhere', () => {
    // Every piece (header, lanes, writer, reader) is derived from the list: inserting a column into
    // the list is the whole change. Tried for each kind, at each position.
    const kinds: ColumnSpec[] = [
      { name: 'venue', kind: 'run' },
      { name: 'fee', kind: 'number' },
      { name: 'fill_kind', kind: 'code', labels: ['taker', 'maker'] },
      { name: 'note', kind: 'text' },
      { name: 'rules_at', kind: 'ts' },
    ];
    for (const added of kinds)
      for (const at of [4, 12, DECISION_SCHEMA.length]) {
        const schema = [...DECISION_SCHEMA.slice(0, at), added, ...DECISION_SCHEMA.slice(at)] as Schema;
        const codec = new RowCodec(schema);
        expect(codec.names).toEqual([
          ...DECISION_COLUMNS.slice(0, at),
          added.name,
          ...DECISION_COLUMNS.slice(at),
        ]);
        fc.assert(
          fc.property(rowsOf(schema, 8), (rows) => {
            const text = linesOf(codec, rows);
            expect(text.split('\n')[0]!.split(',')).toHaveLength(schema.length);
            expect(decodeAll(codec, text)).toEqual(rows.map((row) => asWritten(schema, row)));
          }),
          { numRuns: 30 },
        );
      }
  });

  it('derives the header, the row type and the table columns from the one list', () => {
    expect(DECISION_COLUMNS).toEqual(DECISION_SCHEMA.map((c) => c.name));
    expect(TRADE_COLUMNS).toEqual(TRADE_SCHEMA.map((c) => c.name));
    const table = new DecisionTable('mem', { fields: () => [] });
    const numbers = DECISION_SCHEMA.filter((c) => c.kind === 'number' || c.kind === 'money').map(
      (c) => c.name,
    );
    const codes = DECISION_SCHEMA.filter((c) => c.kind === 'code').map((c) => c.name);
    expect(Object.keys(table.numbers)).toEqual(numbers);
    expect(Object.keys(table.codes)).toEqual(codes);
    // A row has a property per column, less the derived time.
    const row = decisionRowOf({});
    expect(Object.keys(row).sort()).toEqual(DECISION_COLUMNS.filter((c) => c !== 'time_utc').sort());
  });

  it('reserves room for every byte a line takes, long fixed cells included (a sink grown to the exact need)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{0,300}$/),
        fc.stringMatching(/^[a-z0-9=;.]{0,300}$/),
        (spec, features) => {
          const row = decisionRowOf({ spec, features });
          const batch = new Batch(DECISIONS, DECISIONS.constantsOf(row), 1);
          batch.push(row);
          const sink = new ByteSink(1);
          batch.encode(sink);
          expect(sink.textFrom(0)).toBe(decisionLines([row]));
          expect(sink.textFrom(0).split(',')).toHaveLength(DECISION_COLUMNS.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses text that cannot be a CSV cell, before a byte is written', () => {
    expect(() => decisionLines([decisionRowOf({ features: 'a=1,b=2' })])).toThrow(
      /features "a=1,b=2" cannot be a CSV cell/,
    );
    expect(() => decisionLines([decisionRowOf({ symbol: 'BTC\nUSDT' })])).toThrow(
      /symbol .* cannot be a CSV cell/,
    );
  });

  it('refuses a batch row whose fixed cells are not the batch', () => {
    const batch = new Batch(DECISIONS, DECISIONS.constantsOf(decisionRowOf({})), 2);
    expect(() => batch.push(decisionRowOf({ spec: 'other' }))).toThrow(/spec "other" is not this batch's/);
    const sink = new ByteSink(16);
    batch.push(decisionRowOf({}));
    batch.encode(sink);
    expect(sink.textFrom(0)).toBe(decisionLines([decisionRowOf({})]));
  });
});

function decisionRowOf(overrides: Partial<DecisionRow>): DecisionRow {
  return {
    exchange: 'x',
    symbol: 'BTC/USDT:USDT',
    timeframe: '1m',
    ts_ms: 60_000 as DecisionRow['ts_ms'],
    action: 'hold',
    reason: 'no_signal',
    position: 'flat',
    close: 1.5,
    stop: Number.NaN,
    qty: 0,
    fill_price: Number.NaN,
    equity: 10_000,
    input_hash: '',
    features: '',
    strategy: 'ema_cross_atr',
    model_id: '',
    spec: 'abc',
    ...overrides,
  };
}
