/**
 * docs/contracts.md against the code: what it lists between its markers is what the code has (the
 * journals' columns, actions, reasons, exit codes, make targets, metric names). A change on one side
 * only fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, DECISION_COLUMNS, REASONS, TRADE_COLUMNS } from '@mjolnir/lib';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../cli/errors.js';
import { ROOT } from './support/processes.js';

const doc = readFileSync(join(ROOT, 'docs/contracts.md'), 'utf8');

/** The text between `<!-- name -->` and `<!-- /name -->`. */
function section(name: string): string {
  const found = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)<!-- /${name} -->`).exec(doc)?.[1];
  if (found === undefined) throw new Error(`docs/contracts.md has no ${name} section`);
  return found.trim();
}

/** A section written as one code span of a list. */
const listed = (name: string, separator: RegExp) =>
  section(name).replace(/^`|`$/g, '').split(separator).filter(Boolean);

/** Every `name: 'mjolnir_…'` a metrics file registers. */
const registered = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/name: '(mjolnir_[a-z_]+)'/g)].map((m) => m[1]);

describe('docs/contracts.md', () => {
  it("lists the journals' columns, the actions and the reasons as the code has them, in order", () => {
    expect(listed('decision-columns', /,/)).toEqual([...DECISION_COLUMNS]);
    expect(listed('trade-columns', /,/)).toEqual([...TRADE_COLUMNS]);
    expect(listed('actions', /, /)).toEqual([...ACTIONS]);
    expect(listed('reasons', /, /)).toEqual([...REASONS]);
  });

  it('lists the exit codes every command uses', () => {
    const codes = [...section('exit-codes').matchAll(/^\| (\d) \|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(Object.values(EXIT).sort());
  });

  it('lists every make target make help shows, and the metric names the processes register', () => {
    const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
    const targets = [...makefile.matchAll(/^([a-z-]+):.*## /gm)].map((m) => m[1]);
    expect(listed('make-targets', / /).sort()).toEqual(targets.sort());
    const metrics = [...registered('lib/live/metrics.ts'), ...registered('lib/scale/worker.ts')];
    expect(listed('metrics', /, /).sort()).toEqual(metrics.sort());
  });
});
