/**
 * The host conformance suite (./test-support/conformance.ts) run against every host that
 * turns bars into journals: the engine's step is its reference; the paper loop's decider into its
 * durable journals; the backtest's window decider formatting inline, and on worker threads in small
 * batches (so rows cross many batch edges).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../engine/index.js';
import { DecisionJournal, decisionConstants, TradeJournal, tradeRow } from '../journal/index.js';
import { Decider } from '../live/index.js';
import { decideWindow } from './decide.js';
import { type DecisionOutput, InlineOutput, ThreadedOutput } from './decision-output.js';
import { OutputFile } from './output-file.js';
import {
  describeHostConformance,
  type JournalBytes,
  type Scenario,
  slots,
} from './test-support/conformance.js';

const root = mkdtempSync(join(tmpdir(), 'mjolnir-conformance-'));
let runs = 0;

/** A journal file's rows without its header. */
const body = (path: string) => readFileSync(path, 'utf8').split('\n').slice(1).join('\n');

/** The paper loop's host: Decider rows appended to decisions.csv and trades.csv as LIVE does. */
async function paperDecider(scenario: Scenario): Promise<JournalBytes> {
  const dir = join(root, `paper-${runs++}`);
  const engine = createEngine(scenario.spec);
  const decider = new Decider(engine, engine.init(), scenario.stream);
  const decisions = DecisionJournal.open(join(dir, 'decisions.csv'), {
    enforce: true,
    onRefused: () => {},
  });
  const trades = TradeJournal.open(join(dir, 'trades.csv'));
  try {
    for (const { ts, bar, skip } of slots(scenario)) {
      const fed = skip === undefined ? decider.bar(bar!, scenario.contextAt(ts)) : decider.skip(ts, skip);
      decisions.append(fed.decisions.filter((row) => row.ts_ms >= scenario.start));
      if (ts >= scenario.start) trades.append(fed.trades.map((trade) => tradeRow(scenario.stream, trade)));
    }
  } finally {
    decisions.close();
    trades.close();
  }
  return { decisions: body(decisions.path), trades: body(join(dir, 'trades.csv')) };
}

/** The backtest's host: the window decided in runs from stored bars, into an output. */
function backtest(threads: number): (scenario: Scenario) => Promise<JournalBytes> {
  return async (scenario) => {
    const dir = join(root, `backtest-${runs++}`);
    const engine = createEngine(scenario.spec);
    const [decisionsFile, tradesFile] = (await OutputFile.createAll([
      join(dir, 'decisions.csv'),
      join(dir, 'trades.csv'),
    ])) as [OutputFile, OutputFile];
    decisionsFile.write('header\n');
    tradesFile.write('header\n');
    const constants = decisionConstants(scenario.stream, scenario.spec.strategy, engine.fingerprint);
    const output: DecisionOutput =
      threads === 0
        ? new InlineOutput(decisionsFile, constants)
        : new ThreadedOutput({ constants }, threads, 97).into(decisionsFile);
    try {
      await decideWindow({
        engine,
        fed: scenario.series,
        slots: scenario,
        start: scenario.start,
        end: scenario.end,
        stream: scenario.stream,
        output,
        trades: tradesFile,
        explain: scenario.explain,
      });
    } finally {
      await output.close();
    }
    await decisionsFile.commit();
    await tradesFile.commit();
    return { decisions: body(join(dir, 'decisions.csv')), trades: body(join(dir, 'trades.csv')) };
  };
}

describeHostConformance('the paper loop decider', 'always', paperDecider);
describeHostConformance('the backtest, formatting inline', 'optional', backtest(0));
describeHostConformance('the backtest, formatting on two worker threads', 'never', backtest(2));
