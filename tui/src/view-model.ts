import {
  type Check,
  isoUtc,
  judgesSlots,
  SKIP_MARKERS,
  type StreamHealth,
  type TimeframeLabel,
  timeframe,
  type Verdict,
  type WatchSnapshot,
} from '@mjolnir/lib';

/** How a piece of text reads: the palette maps it to a colour (none under NO_COLOR). */
export type Tone = 'ok' | 'warn' | 'fail' | 'dim' | 'plain' | 'accent';

export interface Line {
  readonly text: string;
  readonly tone: Tone;
  /** Wrapped at the box's edge (a cause, read whole) instead of cut. */
  readonly wrap?: boolean;
}

/** One LIVE stream as the sources see it. */
export interface StreamData {
  readonly name: string;
  readonly timeframe: TimeframeLabel;
  /** Where its decisions journal is (shown while it does not exist). */
  readonly decisionsPath: string;
  readonly watch: WatchSnapshot;
  /** Its health verdict, or null before the first healthcheck finished. */
  readonly health: StreamHealth | null;
  /** Now by the clock its health was judged by (a simulator's runs fast), or null before a verdict. */
  readonly now: number | null;
}

/** Everything the dashboard shows, from its injected sources. */
export interface DashboardData {
  readonly dataRoot: string;
  readonly streams: readonly StreamData[];
  /** Now by this machine's clock. */
  readonly now: number;
  /** Bars a decision may lag before health FAILs it: the gap meter's scale. */
  readonly graceBars: number;
  /** Why the last healthcheck could not be made, or null. */
  readonly healthError: string | null;
}

/** What the operator chose and the terminal's size. */
export interface UiState {
  readonly selected: number;
  readonly help: boolean;
  readonly width: number;
  readonly height: number;
}

export interface Tab {
  readonly label: string;
  readonly selected: boolean;
  readonly tone: Tone;
}

export interface Panel {
  readonly title: string;
  readonly tone: Tone;
  readonly lines: readonly Line[];
}

/** The screen, computed purely from the data and the UI state. */
export interface View {
  readonly title: Line;
  readonly tabs: readonly Tab[];
  /** Set while there is nothing to show yet (no stream, or no journal): the waiting screen. */
  readonly waiting: readonly Line[] | null;
  readonly left: readonly Panel[];
  readonly right: readonly Panel[];
  /** Side by side when the terminal is wide enough, else one column. */
  readonly columns: 1 | 2;
  readonly help: readonly Line[] | null;
  readonly footer: Line;
}

const line = (text: string, tone: Tone = 'plain'): Line => ({ text, tone });
const wrapped = (text: string, tone: Tone = 'plain'): Line => ({ text, tone, wrap: true });
const TONE: Record<Verdict, Tone> = { OK: 'ok', WARN: 'warn', FAIL: 'fail' };
const SPARK = '▁▂▃▄▅▆▇█';

/** 1234.5 -> "1,234.50"; NaN -> "n/a". */
export function money(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

const signed = (value: number) => (Number.isFinite(value) && value > 0 ? `+${money(value)}` : money(value));
const toneOf = (value: number): Tone =>
  !Number.isFinite(value) || value === 0 ? 'plain' : value > 0 ? 'ok' : 'fail';
const clock = (ts: number) =>
  isoUtc(ts)
    .replace('T', ' ')
    .replace(/:\d\d\.\d+Z$/, 'Z');

/** A sparkline of `values` in `width` characters (the newest on the right; each character a bucket's last value). */
export function sparkline(values: readonly number[], width: number): string {
  if (values.length === 0 || width <= 0) return '';
  const points: number[] = [];
  const step = Math.max(1, values.length / width);
  for (let i = values.length; i > 0 && points.length < width; i -= step)
    points.unshift(values[Math.ceil(i) - 1]!);
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  return points.map((v) => SPARK[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * 7)]).join('');
}

/** Bar age against the cadence: one bar is normal, past `grace` bars the loop is behind; ahead is its own finding. */
export function gapMeter(ageBars: number, grace: number, width: number): Line {
  if (ageBars < -1)
    return line(`bar age ${ageBars.toFixed(1)} bar(s): decisions ahead of the venue's clock`, 'fail');
  const scale = grace + 1;
  const filled = Math.max(0, Math.min(width, Math.round((Math.min(ageBars, scale) / scale) * width)));
  const tone: Tone = ageBars <= 1 ? 'ok' : ageBars <= grace ? 'warn' : 'fail';
  return line(
    `bar age ${ageBars.toFixed(1)} bar(s) ▕${'█'.repeat(filled)}${'░'.repeat(width - filled)}▏`,
    tone,
  );
}

/** Whether a stream's clock can tell a bar's age: its venue answered, or it is a real venue (our clock). */
const judgeable = (s: StreamData) =>
  s.now !== null && s.health !== null && judgesSlots(s.health.clock, s.health.rate);

/** Lines of the journal that do not read: shown with the stream, the good rows still on screen. */
function badLinesLines(s: StreamData): Line[] {
  const bad = s.watch.badLines;
  const lines = bad === null ? [] : [wrapped(`${bad.count} bad journal line(s): ${bad.last.why}`, 'fail')];
  if (s.watch.badTrades !== null) lines.push(wrapped(`trades not read: ${s.watch.badTrades}`, 'fail'));
  return lines;
}

function ageLine(s: StreamData, lastTs: number, grace: number, width: number): Line {
  if (!judgeable(s))
    return line(
      s.health === null
        ? 'bar age: waiting for the venue clock'
        : "bar age: not judged (the venue's clock does not answer)",
      'dim',
    );
  const bar = timeframe(s.timeframe).ms;
  return gapMeter((s.now! - lastTs) / bar, grace, Math.max(4, Math.min(20, width - 28)));
}

function decisionPanel(s: StreamData, grace: number, width: number): Panel {
  const last = s.watch.recent.at(-1);
  if (last === undefined)
    return {
      title: 'Last decision',
      tone: s.watch.badLines === null ? 'dim' : 'fail',
      lines: [line('no decision yet', 'dim'), ...badLinesLines(s)],
    };
  const entry = s.watch.fold.entry;
  const actionTone: Tone = last.action === 'skip' ? 'warn' : last.action === 'hold' ? 'plain' : 'accent';
  return {
    title: 'Last decision',
    tone: 'plain',
    lines: [
      line(`${clock(last.ts_ms)}  ${last.action} ${last.reason}`, actionTone),
      line(`close ${money(last.close)}  position ${last.position}`),
      entry === null
        ? line('no open position', 'dim')
        : line(`open since ${clock(entry.ts)} @ ${money(entry.price)}  stop ${money(last.stop)}`, 'accent'),
      line(
        `strategy ${last.strategy}${last.model_id === '' ? '' : `@${last.model_id.slice(0, 8)}`}  spec ${last.spec.slice(0, 8)}`,
        'dim',
      ),
      ageLine(s, last.ts_ms, grace, width),
      ...badLinesLines(s),
    ],
  };
}

function equityPanel(s: StreamData, width: number): Panel {
  const f = s.watch.fold;
  const drawdown = f.peak > 0 ? (f.peak - f.equity) / f.peak : 0;
  const t = s.watch.tradeTotals;
  return {
    title: 'Equity',
    tone: 'plain',
    lines: [
      line(sparkline(s.watch.equityTail, Math.max(8, width - 4)) || 'no equity yet', 'accent'),
      line(
        `${money(f.equity)}  dd ${(drawdown * 100).toFixed(2)}%  max dd ${(f.maxDrawdownFraction * 100).toFixed(2)}%`,
      ),
      line(
        `today ${signed(f.equity - f.dayOpenEquity)}  total ${signed(f.equity - f.firstEquity)}`,
        toneOf(f.equity - f.firstEquity),
      ),
      line(`${t.count} trade(s), ${t.wins} won, realised ${signed(t.pnl)}`, toneOf(t.pnl)),
    ],
  };
}

function tradesPanel(s: StreamData, rows: number): Panel {
  const trades = s.watch.trades.slice(-rows);
  return {
    title: 'Latest trades',
    tone: 'plain',
    lines:
      trades.length === 0
        ? [line('no closed trade yet', 'dim')]
        : trades
            .map((t) =>
              line(
                `${signed(t.pnl)} ${clock(t.exit_ts_ms).slice(5)} ${t.side} ${money(t.entry_price)}→${money(t.exit_price)} ${t.exit_reason}`,
                toneOf(t.pnl),
              ),
            )
            .reverse(),
  };
}

/** Full ISO times in a check's words as the rest of the screen shows them: `HH:MMZ` today, else `MM-DD HH:MMZ`. */
export function shortTimes(text: string, now: number): string {
  const today = isoUtc(now).slice(0, 10);
  return text.replace(/(\d{4})-(\d\d-\d\d)T(\d\d:\d\d):\d\d(?:\.\d+)?Z/g, (_, year, day, time) =>
    `${year}-${day}` === today ? `${time}Z` : `${day} ${time}Z`,
  );
}

function healthPanel(s: StreamData, error: string | null): Panel {
  const failed = error === null ? [] : [wrapped(`the healthcheck failed: ${error}`, 'fail')];
  if (s.health === null)
    return error === null
      ? { title: 'Health …', tone: 'dim', lines: [line('checking…', 'dim')] }
      : { title: 'Health check failed', tone: 'fail', lines: failed };
  const at = s.health.now;
  const short = (text: string) => shortTimes(text, at);
  const failing = s.health.checks.filter((c) => c.status !== 'OK');
  const cause = (c: Check) =>
    wrapped(`${c.status.padEnd(4)} ${c.name} ${short(c.figure)}: ${short(c.cause)}`, TONE[c.status]);
  const by = s.health.clock === 'exchange' ? 'venue' : 'machine';
  return {
    title: `Health ${s.health.status} as of ${clock(at).slice(11)} (${by})`,
    tone: error === null ? TONE[s.health.status] : 'fail',
    lines: [
      ...failed,
      ...failing.map(cause),
      ...s.health.checks
        .filter((c) => c.status === 'OK')
        .map((c) => line(`OK   ${c.name}: ${short(c.figure)}`, 'dim')),
    ],
  };
}

function skipsPanel(s: StreamData): Panel {
  const byReason = s.watch.fold.byReason();
  const skips = Object.entries(byReason)
    .filter(([key]) => key.startsWith('skip/'))
    .map(([key, n]) => `${key.slice(5)}=${n}`);
  const markers = [...SKIP_MARKERS].some((reason) => byReason[`skip/${reason}`] !== undefined);
  const f = s.watch.fold;
  return {
    title: 'Skips and cadence',
    tone: skips.length > 0 || f.gaps > 0 ? 'warn' : 'plain',
    lines: [
      line(skips.length === 0 ? 'no skips' : `skips ${skips.join(' ')}`, markers ? 'warn' : 'plain'),
      line(`cadence gaps ${f.gaps} in ${f.decisions} decision(s)`, f.gaps > 0 ? 'warn' : 'plain'),
      line(f.firstTs === null ? '' : `since ${clock(f.firstTs)}`, 'dim'),
    ],
  };
}

const HELP: readonly Line[] = [
  line('Mjölnir dashboard: read-only, it never writes a file.', 'accent'),
  line('tab / → / ←   next / previous stream'),
  line('?             this help (any key closes it)'),
  line('q             quit'),
  line('Journals are read from byte offsets every half second; health every two seconds.', 'dim'),
  line("Bar age: the venue's time since the last decided slot closed (1 bar is normal).", 'dim'),
];

function waitingScreen(data: DashboardData, stream: StreamData | undefined): Line[] {
  if (stream === undefined)
    return [
      line(`waiting for a LIVE stream under ${data.dataRoot}`, 'warn'),
      line('start one with `make paper` (or `make demo`); this screen follows it once it writes', 'dim'),
    ];
  const progress = stream.watch.catchingUp;
  if (progress !== null) {
    const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
    return [
      line(
        `reading ${stream.name}'s journal: ${((progress.read / progress.size) * 100).toFixed(0)}%`,
        'accent',
      ),
      line(
        `${mb(progress.read)} of ${mb(progress.size)} MB (${stream.watch.fold.decisions.toLocaleString('en-US')} decisions so far)`,
        'dim',
      ),
      line(stream.decisionsPath, 'dim'),
    ];
  }
  return [
    line(`waiting for ${stream.name}: no decisions journal yet`, 'warn'),
    line(stream.decisionsPath, 'dim'),
    line('it appears with the first decision after the warmup', 'dim'),
  ];
}

/** The screen for `data` under `ui`: what each panel says and in which tone. */
export function buildView(data: DashboardData, ui: UiState): View {
  const selected = data.streams.length === 0 ? 0 : Math.min(ui.selected, data.streams.length - 1);
  const stream = data.streams[selected];
  const columns = ui.width >= 80 ? 2 : 1;
  const half = columns === 2 ? Math.floor(ui.width / 2) : ui.width;
  const venue = stream?.health?.clock === 'exchange' && stream.now !== null;
  const time = venue ? `${clock(stream.now!)} (venue)` : `${clock(data.now)} (this machine)`;
  const tabs = data.streams.map(
    (s, i): Tab => ({
      label: s.name,
      selected: i === selected,
      tone: s.health === null ? 'dim' : TONE[s.health.status],
    }),
  );
  const base = {
    title: line(`Mjölnir paper · ${stream?.name ?? 'no stream'} · ${time}`, 'accent'),
    tabs,
    help: ui.help ? HELP : null,
    footer: line(
      `${data.streams.length > 1 ? 'tab/←/→ stream · ' : ''}? help · q quit · ${data.dataRoot}`,
      'dim',
    ),
    columns,
  } as const;
  if (stream === undefined || !stream.watch.exists || stream.watch.catchingUp !== null)
    return { ...base, waiting: waitingScreen(data, stream), left: [], right: [] };
  const tradeRows = Math.max(1, ui.height - 20);
  return {
    ...base,
    waiting: null,
    left: [
      decisionPanel(stream, data.graceBars, half),
      equityPanel(stream, half),
      tradesPanel(stream, tradeRows),
    ],
    right: [healthPanel(stream, data.healthError), skipsPanel(stream)],
  };
}
