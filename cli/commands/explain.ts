import { isoUtc, loadConfig, type Timeframe } from '@mjolnir/lib';
import type { Explanation } from '@mjolnir/lib/research';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { columns } from '../format.js';
import type { CliIo } from '../io.js';
import { dataRoot, envOption, openLake, symbolOption, timeframeOption, timeOption } from '../options.js';

const num = (x: number) => (Number.isFinite(x) ? String(+x.toPrecision(10)) : 'n/a');
const side = (s: number) => (s === 0 ? 'flat' : s > 0 ? 'long' : 'short');

/** The explanation as an operator reads it: the row, whether it is reproduced, the inputs and the rule. */
export function formatExplanation(e: Explanation): string {
  const r = e.row;
  const lines: [string, string][] = [
    ['row', `line ${r.line}: ${isoUtc(r.ts_ms)}  ${r.action} / ${r.reason}  position ${r.position}`],
    [
      '  numbers',
      `close ${num(r.close)}  stop ${num(r.stop)}  qty ${num(r.qty)}  fill ${num(r.fill_price)}  equity ${num(r.equity)}`,
    ],
    [
      'reproduced',
      e.reproduced
        ? 'yes'
        : `NO: the engine decides ${e.replayed === null ? 'nothing' : `${e.replayed.action} / ${e.replayed.reason} position ${e.replayed.position}`} here now`,
    ],
    [
      'input hash',
      e.row.input_hash === ''
        ? 'none (no bar)'
        : e.inputHash.same
          ? `same (${e.inputHash.row})`
          : `CHANGED: row ${e.inputHash.row}, lake ${e.inputHash.lake || 'no bar'}`,
    ],
    [
      'before',
      `position ${side(e.before.side)}  entry ${num(e.before.entryPrice)}  stop ${num(e.before.stop)}`,
    ],
  ];
  if (e.bar !== null)
    lines.push([
      'bar',
      `open ${num(e.bar.open)}  high ${num(e.bar.high)}  low ${num(e.bar.low)}  close ${num(e.bar.close)}  volume ${num(e.bar.volume)}`,
    ]);
  if (e.rules !== null) {
    lines.push([
      'features',
      Object.entries(e.features)
        .map(([k, v]) => `${k}=${num(v)}`)
        .join('  '),
    ]);
    const x = e.rules;
    lines.push([
      'rules',
      `valid=${x.valid}  entry=${x.entry}  exit_long=${x.exitLong}  exit_short=${x.exitShort}  stop_distance=${num(x.stopDistance)}`,
    ]);
  }
  lines.push(['why', e.why]);
  return `${columns(lines)}\n`;
}

interface ExplainCliOptions {
  config?: string;
  ts?: number;
  tag?: string;
  symbol?: string;
  timeframe?: Timeframe;
  dataRoot?: string;
}

export function registerExplain(program: Command, io: CliIo): void {
  program
    .command('explain')
    .description(
      "why one decision is what it is: rebuilt from the lake and the run's manifest (exit 1 when it is not reproduced or its bar changed)",
    )
    .addOption(
      envOption(
        '--tag <tag>',
        'the run: a LIVE tag, or <tag>_bt_<RUNID> (default the config stream)',
        'DATA_TAG',
      ),
    )
    .addOption(envOption('--ts <time>', 'the decision (bar close, epoch ms or ISO)', 'TS', timeOption))
    .addOption(
      envOption(
        '-c, --config <file>',
        "replay under this config (default: the run manifest's spec, built-in strategies)",
        'CONFIG',
      ),
    )
    .addOption(envOption('--symbol <symbol>', 'when the tag has several streams', 'SYMBOL', symbolOption))
    .addOption(
      envOption('--timeframe <tf>', 'when the tag has several streams', 'TIMEFRAME', timeframeOption),
    )
    .option('--data-root <dir>', 'data root (DATA_ROOT)')
    .action(async (options: ExplainCliOptions) => {
      if (options.ts === undefined) {
        io.stderr.write('explain needs --ts (TS): the bar close of the decision\n');
        io.setExitCode(EXIT.usage);
        return;
      }
      const { explain } = await import('@mjolnir/lib/research');
      const lake = await openLake(dataRoot(options.dataRoot, io.env), io);
      try {
        const e = await explain(lake, {
          ts: options.ts,
          ...(options.config === undefined ? {} : { config: loadConfig(options.config, io.env) }),
          ...(options.tag === undefined ? {} : { tag: options.tag }),
          ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
          ...(options.timeframe === undefined ? {} : { timeframe: options.timeframe.label }),
        });
        io.stdout.write(formatExplanation(e));
        io.setExitCode(e.reproduced && (e.inputHash.same || e.row.input_hash === '') ? EXIT.ok : EXIT.failed);
      } finally {
        lake.close();
      }
    });
}
