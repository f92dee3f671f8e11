import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MjolnirError } from '../core/index.js';
import type { DataLayout } from '../journal/index.js';
import type { MarketFees, MarketKey, MarketRules, VenueStatement } from '../market/index.js';
import { isoUtc } from '../time/index.js';
import { writeFileAtomic } from './atomic.js';

/** The rules a venue stated for a market, when they were read, and the ones before them if they changed. */
export interface RulesSnapshot {
  readonly rules: MarketRules;
  /** Maker and taker fee rates, null when the venue states none. */
  readonly fees: MarketFees | null;
  /** The venue's time they were read at (epoch ms), null when it offers no clock. */
  readonly read_at: number | null;
  readonly previous?: {
    readonly rules: MarketRules;
    readonly fees: MarketFees | null;
    readonly read_at: number | null;
  };
}

/** `raw/<exchange>/<SYMBOL>/<tf>/_market_rules.json`, beside the bars it applies to. */
export function rulesPath(layout: DataLayout, key: MarketKey): string {
  return join(layout.rawDir(key), '_market_rules.json');
}

/** The stored snapshot of a market's rules, or null when none was read yet. */
export function readRulesSnapshot(layout: DataLayout, key: MarketKey): RulesSnapshot | null {
  const path = rulesPath(layout, key);
  if (!existsSync(path)) return null;
  try {
    const snapshot = JSON.parse(readFileSync(path, 'utf8')) as RulesSnapshot;
    if (typeof snapshot.rules?.amountStep !== 'string') throw new Error('no rules.amountStep');
    return snapshot;
  } catch (error) {
    throw new MjolnirError(
      'data_invalid',
      `${path} is not a market rules snapshot (${(error as Error).message})`,
    );
  }
}

type Stated = Pick<RulesSnapshot, 'rules' | 'fees'>;

/** What changed between two statements, in words (`amountStep 0.00001 -> 0.0001`), empty when alike. */
export function rulesChanges(from: Stated, to: Stated): string[] {
  const flat = (s: Stated): Record<string, string | number | null> => ({
    ...s.rules,
    makerFee: s.fees?.maker ?? null,
    takerFee: s.fees?.taker ?? null,
  });
  const [a, b] = [flat(from), flat(to)];
  return Object.keys(b)
    .filter((name) => a[name] !== b[name])
    .map((name) => `${name} ${a[name]} -> ${b[name]}`);
}

/**
 * Stores the rules just read (atomically): a change keeps the rules before it as `previous`, and is
 * returned in words for the operator's log.
 */
export function recordRules(layout: DataLayout, key: MarketKey, statement: VenueStatement): string[] {
  const path = rulesPath(layout, key);
  const before = readRulesSnapshot(layout, key);
  const stated = { rules: statement.rules, fees: statement.fees };
  const changes = before === null ? [] : rulesChanges(before, stated);
  const previous = before === null ? undefined : changes.length > 0 ? before : before.previous;
  const snapshot: RulesSnapshot = {
    ...stated,
    read_at: statement.readAt,
    ...(previous === undefined
      ? {}
      : { previous: { rules: previous.rules, fees: previous.fees ?? null, read_at: previous.read_at } }),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(snapshot, null, 2)}\n`);
  return changes;
}

/** When a snapshot's rules were read, as a line for the operator. */
export function rulesReadLine(snapshot: RulesSnapshot): string {
  return snapshot.read_at === null ? 'read (venue time unknown)' : `read ${isoUtc(snapshot.read_at)}`;
}
