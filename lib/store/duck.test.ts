import { afterEach, describe, expect, it } from 'vitest';
import { Duck } from './duck.js';

describe('Duck: one connection, one statement at a time', () => {
  const opened: Duck[] = [];
  afterEach(() => {
    for (const duck of opened.splice(0)) duck.close();
  });

  /** Creates a table, appends `rows` rows, counts them and drops it: four statements and an appender. */
  async function roundTrip(duck: Duck, name: string, rows: number): Promise<number | null> {
    await duck.run(`CREATE TEMP TABLE ${name} (ts_ms BIGINT, close DOUBLE)`);
    await duck.append(name, (appender) => {
      for (let i = 0; i < rows; i++) {
        appender.appendBigInt(BigInt(i));
        appender.appendDouble(i / 2);
        appender.endRow();
      }
    });
    const counted = await duck.scalar(`SELECT count(*) FROM ${name}`);
    const { rows: read } = await duck.readDoubles(`SELECT close FROM ${name} ORDER BY ts_ms`, [], 1);
    await duck.run(`DROP TABLE ${name}`);
    return read === counted ? counted : -1;
  }

  it('runs statements started together (two streams written at once) one after the other, none lost', async () => {
    const duck = await Duck.open({ threads: 1 });
    opened.push(duck);
    // Unserialised, about one round in ten failed here with "Attempting to execute an unsuccessful
    // or closed pending query result" (the CI failure of the lake's renewal test).
    for (let round = 0; round < 40; round++) {
      const names = [0, 1, 2, 3].map((k) => `t_${round}_${k}`);
      const counts = await Promise.all(names.map((name, k) => roundTrip(duck, name, 10 + k)));
      expect(counts).toEqual([10, 11, 12, 13]);
    }
  });

  it('a failed statement is reported and does not stop the ones queued after it', async () => {
    const duck = await Duck.open();
    opened.push(duck);
    const [failed, counted] = await Promise.allSettled([
      duck.run('SELECT * FROM no_such_table'),
      duck.scalar('SELECT 41 + 1'),
    ]);
    expect(failed.status).toBe('rejected');
    expect(String((failed as PromiseRejectedResult).reason)).toMatch(/DuckDB: .*no_such_table/);
    expect(counted).toEqual({ status: 'fulfilled', value: 42 });
  });
});
