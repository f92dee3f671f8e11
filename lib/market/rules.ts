import { MjolnirError } from '../core/index.js';

/**
 * What a venue accepts of an order on one market, as its API says it (Binance's LOT_SIZE,
 * PRICE_FILTER and NOTIONAL filters; Coinbase's base_increment, quote_increment, base_min_size and
 * quote_min_size; ccxt's market.precision and market.limits). Steps are decimal strings: 0.00001 must
 * stay 0.00001, which no binary float is.
 */
export interface MarketRules {
  /** Quantities are whole multiples of this (base units). */
  readonly amountStep: string;
  /** The smallest quantity accepted, or null for none. */
  readonly minAmount: string | null;
  /** Prices are whole multiples of this (quote units). */
  readonly priceTick: string;
  /** The smallest order value (quantity x price) accepted, or null for none. */
  readonly minNotional: string | null;
}

/** A market's fee rates (fractions: 0.001 is 10 bps) as the venue states them for its entry tier. */
export interface MarketFees {
  readonly maker: number;
  readonly taker: number;
}

/** Why an order the rules refuse is refused: the decision's reason code. */
export type RulesRefusal = 'below_min_amount' | 'below_min_notional';

/** A decimal as an integer count of 10^-scale. */
interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** The exact value of a decimal text (a JS number's shortest text included: 1e-7, 0.1, 12345.678). */
function scaled(text: string): Scaled {
  const match = DECIMAL.exec(text.trim());
  if (match === null) throw new MjolnirError('input_invalid', `"${text}" is not a decimal number`);
  const sign = match[1];
  const whole = match[2]!;
  const fraction = match[3] ?? '';
  const exponent = match[4] ?? '0';
  const digits = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - Number(exponent);
  let units = sign === '-' ? -digits : digits;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

const atScale = (value: Scaled, scale: number) => value.units * 10n ** BigInt(scale - value.scale);

/** The decimal text of units x 10^-scale, without trailing zeros. */
function text(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** `value` and `step` as integers of one scale. */
function common(value: number, step: string): { value: bigint; step: bigint; scale: number } {
  if (!Number.isFinite(value))
    throw new MjolnirError('invariant_violated', `${value} cannot be rounded to a step`);
  const v = scaled(String(value));
  const s = scaled(step);
  if (s.units <= 0n) throw new MjolnirError('input_invalid', `a step of ${step} is not above 0`);
  const scale = Math.max(v.scale, s.scale);
  return { value: atScale(v, scale), step: atScale(s, scale), scale };
}

/**
 * A quantity cut down to a whole multiple of the step, toward zero: never more than asked (ccxt's
 * amountToPrecision, TRUNCATE). Exact in decimal: 0.3 on a 0.1 step is 0.3, not 0.2.
 */
export function amountToStep(amount: number, step: string): number {
  const c = common(amount, step);
  return Number(text((c.value / c.step) * c.step, c.scale));
}

/** A price on the tick grid, to the nearest tick, half away from zero (ccxt's priceToPrecision). */
export function priceToTick(price: number, tick: string): number {
  const c = common(price, tick);
  const magnitude = c.value < 0n ? -c.value : c.value;
  const below = (magnitude / c.step) * c.step;
  const rounded = (magnitude - below) * 2n >= c.step ? below + c.step : below;
  return Number(text(c.value < 0n ? -rounded : rounded, c.scale));
}

/**
 * An order as the venue would take it: its quantity cut to the step, then refused when under the
 * minimum amount or notional (at `price`, what the fill is valued at). A quantity of 0 after the cut
 * is below any minimum amount.
 */
export function applyRules(
  amount: number,
  price: number,
  rules: MarketRules,
): { readonly amount: number; readonly refusal: RulesRefusal | null } {
  const cut = amountToStep(amount, rules.amountStep);
  const minAmount = rules.minAmount === null ? 0 : Number(rules.minAmount);
  if (cut <= 0 || cut < minAmount) return { amount: cut, refusal: 'below_min_amount' };
  if (rules.minNotional !== null && cut * price < Number(rules.minNotional))
    return { amount: cut, refusal: 'below_min_notional' };
  return { amount: cut, refusal: null };
}

/** A step or minimum as the decimal text rules keep (from ccxt's numbers: 1e-8 -> "0.00000001"). */
export function decimalText(value: number): string {
  const v = scaled(String(value));
  return text(v.units, v.scale);
}
