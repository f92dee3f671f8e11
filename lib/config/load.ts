import { readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { describeSystemError, err, MjolnirError, ok, type Result } from '../core/index.js';
import { symbolFromText } from '../market/index.js';
import { type Config, configSchema } from './schema.js';
import { resolveStrategyRef } from './strategy-ref.js';

/** One problem in a config, located as precisely as the file allows. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. an environment override). */
  readonly line: number;
  readonly column: number;
  /** Dotted key path, e.g. "strategy.params.fast". */
  readonly key: string;
  /** The offending value as written, or "(missing)". */
  readonly value: string;
  readonly expected: string;
  /** Where the value came from when not from the file (e.g. "environment variable SYMBOL"). */
  readonly source?: string;
}

/** A problem as one line: `file:line:col: key = value: expected ...`. */
export function formatProblem(problem: ConfigProblem): string {
  const place = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const from = problem.source ? ` (from ${problem.source})` : '';
  return `${place}: ${problem.key || '(top level)'} = ${problem.value}${from}: expected ${problem.expected}`;
}

/** Environment variables that override config keys (the runbooks' meanings). */
export const ENV_OVERRIDES = {
  CCXT_EXCHANGE: 'exchange',
  SYMBOL: 'symbols',
  TIMEFRAME: 'timeframe',
  DATA_TAG: 'data_tag',
} as const;

function applyEnv(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const sources = new Map<string, string>();
  const simPort = env['SIM_PORT'];
  if (
    simPort !== undefined &&
    simPort !== '' &&
    typeof raw['simulator'] === 'object' &&
    raw['simulator'] !== null
  ) {
    (raw['simulator'] as Record<string, unknown>)['port'] = Number(simPort);
    sources.set('simulator', 'environment variable SIM_PORT');
  }
  for (const [variable, key] of Object.entries(ENV_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    // SYMBOL may be "BTC/USD" or, as in data paths, "BTC_USD" (symbolPath's form, read by its inverse);
    // several may be comma separated.
    raw[key] = key === 'symbols' ? value.split(',').map(symbolFromText) : value;
    sources.set(key, `environment variable ${variable}`);
  }
  return sources;
}

function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const ARTICLE: Record<string, string> = { int: 'an integer', array: 'a list', object: 'a mapping' };

function bound(issue: { origin: string; inclusive?: boolean }, below: boolean, amount: unknown): string {
  if (issue.origin === 'array') return below ? `at least ${amount} item(s)` : `at most ${amount} item(s)`;
  const op = below ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `a number ${op} ${amount}`;
}

/** What the schema wanted, in words an operator reads without knowing zod. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `no key ${issue.keys.map((k) => `"${k}"`).join(', ')} here (unknown key; check the spelling)`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return ARTICLE[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small':
      return bound(issue, true, issue.minimum);
    case 'too_big':
      return bound(issue, false, issue.maximum);
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options
        ? `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`
        : 'one of the allowed forms';
    }
    default:
      return issue.message;
  }
}

/** Line and column of the nearest node of `path` that exists in the file (a missing key: its parent). */
function locate(document: Document, lines: LineCounter, path: readonly PropertyKey[]) {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth) as unknown[], true);
    if (node && typeof node === 'object' && 'range' in node && (node as { range?: number[] }).range) {
      const at = lines.linePos((node as { range: number[] }).range[0]!);
      return { line: at.line, column: at.col };
    }
  }
  return { line: 0, column: 0 };
}

/** What else a config is checked against, where the caller knows it. */
export interface ParseOptions {
  /** The exchange ids that exist (ccxt's list): an unknown one is a problem, located. */
  readonly knownExchanges?: readonly string[];
}

/** YAML that does not parse: each error at its line and column. */
function yamlProblems(
  errors: readonly { readonly pos: readonly [number, number]; readonly message: string }[],
  lines: LineCounter,
  file: string,
): ConfigProblem[] {
  return errors.map((e) => {
    const at = lines.linePos(e.pos[0]);
    return {
      file,
      line: at.line,
      column: at.col,
      key: '',
      value: '(unparsable YAML)',
      expected: e.message.split('\n')[0]!,
    };
  });
}

/** Parses and validates config text; `file` names it in problems. */
export function parseConfig(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = {},
  options: ParseOptions = {},
): Result<Config, ConfigProblem[]> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) return err(yamlProblems(document.errors, lines, file));
  const raw = document.toJS() as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return err([
      { file, line: 1, column: 1, key: '', value: describeValue(raw), expected: 'a mapping of config keys' },
    ]);
  }
  const sources = applyEnv(raw as Record<string, unknown>, env);
  const problem = (path: readonly PropertyKey[], expected: string): ConfigProblem => {
    const source = sources.get(String(path[0]));
    const at = source ? { line: 0, column: 0 } : locate(document, lines, path);
    return {
      file,
      ...at,
      key: path.map(String).join('.'),
      value: describeValue(valueAt(raw, path)),
      expected,
      ...(source ? { source } : {}),
    };
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((issue) =>
        problem(
          issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path,
          expectation(issue),
        ),
      ),
    );
  }
  const known = options.knownExchanges;
  if (known !== undefined && !known.includes(parsed.data.exchange))
    return err([
      problem(['exchange'], `an exchange ccxt knows (${known.length} ids, e.g. binance, coinbase, kraken)`),
    ]);
  const strategy = resolveStrategyRef(parsed.data.strategy, file, expectation, env);
  if (!strategy.ok) return err(strategy.error.map((p) => problem(p.path, p.expected)));
  return ok({ ...parsed.data, strategy: strategy.value });
}

/** Reads and validates a config file; problems throw a `config_invalid` error listing every one. */
export function loadConfig(file: string, env: Readonly<Record<string, string | undefined>> = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MjolnirError('config_unreadable', `cannot read config ${file}: ${describeSystemError(error)}`, {
      cause: error,
    });
  }
  const result = parseConfig(text, file, env);
  if (!result.ok) {
    const lines = result.error.map(formatProblem);
    throw new MjolnirError('config_invalid', `invalid config ${file}:\n  ${lines.join('\n  ')}`);
  }
  return result.value;
}
