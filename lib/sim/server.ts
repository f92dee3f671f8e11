import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeSystemError, MjolnirError, systemErrorCode } from '../core/index.js';
import type { Clock } from '../time/index.js';
import { isoUtc, parseTimeframe, type Timeframe } from '../time/index.js';
import { binanceError, binanceId, exchangeInfo, klineRow } from './binance.js';
import {
  COINBASE_GRANULARITY,
  COINBASE_MAX_CANDLES,
  candleRow,
  coinbaseCurrencies,
  coinbaseError,
  coinbaseId,
  coinbaseTime,
  productInfo,
} from './coinbase.js';
import { type FaultKind, FaultPlan } from './faults.js';
import { klines, type SimBarSource } from './market.js';

/** How to run the simulated exchange. */
export interface SimServerOptions {
  /** Always loopback unless told otherwise. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The simulated time (a VirtualClock in operation, a TestClock in tests). */
  readonly clock: Clock;
  /** The markets served, by unified symbol. */
  readonly markets: Readonly<Record<string, SimBarSource>>;
  readonly faults?: FaultPlan;
  /** Whose public API it speaks (default Binance's). */
  readonly venue?: SimVenue;
  /** One line per request, for `make sim` on a terminal. */
  readonly log?: (line: string) => void;
}

/** The exchanges the simulator can be: ccxt's ids. */
export const SIM_VENUES = ['binance', 'coinbase'] as const;
export type SimVenue = (typeof SIM_VENUES)[number];

/** A running simulated exchange. */
export interface SimServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (point ccxt's API URLs here). */
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  readonly faults: FaultPlan;
  /** Requests served so far, by path. */
  readonly requests: Record<string, number>;
  readonly venue: SimVenue;
  /** Requests that carried an API key (Binance's X-MBX-APIKEY, Coinbase's Authorization): none should. */
  readonly keyed: () => number;
  close(): Promise<void>;
}

const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };
const MAX_LIMIT = 1000;

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const ok = (value: unknown): Reply => ({ status: 200, body: JSON.stringify(value) });
const badRequest = (code: number, msg: string): Reply => ({ status: 400, body: binanceError(code, msg) });

function klinesReply(
  options: SimServerOptions,
  faults: FaultPlan,
  query: URLSearchParams,
  now: number,
): Reply {
  const symbol = Object.keys(options.markets).find((s) => binanceId(s) === query.get('symbol'));
  if (symbol === undefined) return badRequest(-1121, 'Invalid symbol.');
  const parsed = parseTimeframe(query.get('interval') ?? '');
  if (!parsed.ok) return badRequest(-1120, 'Invalid interval.');
  const interval: Timeframe = parsed.value;
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(query.get('limit') ?? 500) || 500));
  const start = query.get('startTime');
  const end = query.get('endTime');
  const source = options.markets[symbol]!;
  if (interval.ms % source.base.ms !== 0) return badRequest(-1120, 'Invalid interval.');
  const lastOpen = Math.floor(Math.min(now, end === null ? now : Number(end)) / interval.ms) * interval.ms;
  // Without a start, Binance returns the most recent `limit` klines up to the end.
  const firstOpen = start === null ? lastOpen - (limit - 1) * interval.ms : Number(start);
  const all = faults.shape(
    klines(source, interval, firstOpen, lastOpen, now).filter(
      (k) => !faults.lacks(symbol, interval.label, k.openTime),
    ),
  );
  const chosen = start === null ? all.slice(-limit) : all.slice(0, limit);
  return ok(chosen.map((k) => klineRow(k, interval.ms)));
}

function binanceRoute(options: SimServerOptions, faults: FaultPlan, url: URL, now: number): Reply {
  const time = now + faults.timeOffset(now);
  switch (url.pathname) {
    case '/api/v3/ping':
    case '/fapi/v1/ping':
      return ok({});
    case '/api/v3/time':
    case '/fapi/v1/time':
    case '/dapi/v1/time':
      return ok({ serverTime: time });
    case '/api/v3/exchangeInfo':
      return ok(exchangeInfo(time, Object.keys(options.markets)));
    case '/fapi/v1/exchangeInfo':
    case '/dapi/v1/exchangeInfo':
      // No derivatives are simulated: ccxt's binance class asks for them and gets none.
      return ok({ ...exchangeInfo(time, []), assets: [] });
    case '/api/v3/klines':
      return klinesReply(options, faults, url.searchParams, now);
    default:
      return { status: 404, body: binanceError(-1, `no such endpoint ${url.pathname}`) };
  }
}

const coinbaseBad = (message: string): Reply => ({
  status: 400,
  body: coinbaseError('INVALID_ARGUMENT', message),
});
const CANDLES_PATH = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/candles$/;

/**
 * GET .../products/{id}/candles?start&end&granularity: candles opening in [start, end) (seconds),
 * newest first, the one still forming included, at most COINBASE_MAX_CANDLES a request.
 */
function candlesReply(options: SimServerOptions, faults: FaultPlan, url: URL, now: number): Reply {
  const id = decodeURIComponent(CANDLES_PATH.exec(url.pathname)![1]!);
  const symbol = Object.keys(options.markets).find((s) => coinbaseId(s) === id);
  if (symbol === undefined)
    return { status: 404, body: coinbaseError('NOT_FOUND', `ProductID ${id} could not be found`) };
  const query = url.searchParams;
  const label = COINBASE_GRANULARITY[query.get('granularity') ?? ''];
  const source = options.markets[symbol]!;
  if (label === undefined) return coinbaseBad(`granularity ${query.get('granularity')} is not valid`);
  const interval = parseTimeframe(label);
  if (!interval.ok || interval.value.ms % source.base.ms !== 0)
    return coinbaseBad(`granularity ${query.get('granularity')} is not served for ${id}`);
  const tf = interval.value;
  const [start, end] = [Number(query.get('start')) * 1000, Number(query.get('end')) * 1000];
  if (
    !(query.get('start') && query.get('end')) ||
    !Number.isFinite(start) ||
    !Number.isFinite(end) ||
    end < start
  )
    return coinbaseBad('start and end are required, in UNIX seconds, start before end');
  if (Math.ceil((end - start) / tf.ms) > COINBASE_MAX_CANDLES)
    return coinbaseBad(`number of candles requested should be less than or equal to ${COINBASE_MAX_CANDLES}`);
  const firstOpen = Math.ceil(start / tf.ms) * tf.ms;
  const lastOpen = Math.min(Math.floor(now / tf.ms) * tf.ms, Math.ceil(end / tf.ms) * tf.ms - tf.ms);
  const candles = faults
    .shape(
      klines(source, tf, firstOpen, lastOpen, now).filter((k) => !faults.lacks(symbol, tf.label, k.openTime)),
    )
    .map(candleRow)
    .reverse();
  return ok({ candles });
}

function coinbaseRoute(options: SimServerOptions, faults: FaultPlan, url: URL, now: number): Reply {
  const time = now + faults.timeOffset(now);
  if (CANDLES_PATH.test(url.pathname)) return candlesReply(options, faults, url, now);
  switch (url.pathname) {
    case '/v2/time':
      return ok(coinbaseTime(time, false));
    case '/api/v3/brokerage/time':
      return ok(coinbaseTime(time, true));
    case '/v2/currencies':
    case '/v2/currencies/crypto':
    case '/v2/exchange-rates':
      return ok(coinbaseCurrencies(Object.keys(options.markets), url.pathname));
    case '/api/v3/brokerage/market/products': {
      // No futures are simulated: ccxt asks for them (product_type=FUTURE) and gets none.
      if (url.searchParams.get('product_type') === 'FUTURE') return ok({ products: [], num_products: 0 });
      const products = Object.entries(options.markets).map(([symbol, source]) => {
        const last = klines(
          source,
          source.base,
          Math.floor(now / source.base.ms) * source.base.ms,
          Math.floor(now / source.base.ms) * source.base.ms,
          now,
        );
        return productInfo(symbol, last[0]?.close ?? Number.NaN);
      });
      return ok({ products, num_products: products.length });
    }
    default:
      return { status: 404, body: coinbaseError('NOT_FOUND', `no such endpoint ${url.pathname}`) };
  }
}

const ROUTES = { binance: binanceRoute, coinbase: coinbaseRoute } as const;

/** The venue's error body for a request refused by its rate limit. */
const RATE_LIMITED: Readonly<Record<SimVenue, string>> = {
  binance: binanceError(-1003, 'Too many requests; current limit is 6000 request weight per 1 MINUTE.'),
  coinbase: coinbaseError('rate_limit_exceeded', 'Too many requests'),
};

/** Applies a response fault to a reply (the request was served; the answer is what breaks). */
function corrupt(reply: Reply, fault: FaultKind, faults: FaultPlan, venue: SimVenue): Reply {
  switch (fault) {
    case 'rate_limit':
      return { status: 429, body: RATE_LIMITED[venue], headers: { 'retry-after': '1' } };
    case 'server_error': {
      const status = [500, 502, 503][Math.floor(faults.pick() * 3)]!;
      return {
        status,
        body: `<html><body><h1>${status}</h1>upstream unavailable</body></html>`,
        headers: { 'content-type': 'text/html' },
      };
    }
    case 'malformed': {
      // Cycles through a truncated body, an HTML page and an empty object (which ccxt reads as no klines).
      const variant = (faults.injected.malformed - 1) % 3;
      const body =
        variant === 0
          ? reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2)))
          : variant === 1
            ? '<html>maintenance</html>'
            : '{}';
      return { status: 200, body };
    }
    case 'duplicate':
    case 'out_of_order': {
      // Binance answers a list of klines, Coinbase an object holding its list of candles.
      const body = JSON.parse(reply.body) as unknown;
      const rows = Array.isArray(body) ? body : (body as { candles?: unknown[] }).candles;
      if (!Array.isArray(rows) || rows.length < 2) return reply;
      const i = 1 + Math.floor(faults.pick() * (rows.length - 1));
      if (fault === 'duplicate') rows.splice(i, 0, rows[i]);
      else [rows[i - 1], rows[i]] = [rows[i], rows[i - 1]];
      return { status: reply.status, body: JSON.stringify(body) };
    }
    default:
      return reply;
  }
}

/** Starts the simulated exchange on loopback. */
/** What a running simulator counts: requests by path, those that carried an API key, requests left hanging. */
interface SimState {
  readonly requests: Record<string, number>;
  keyed: number;
  readonly hanging: Set<NodeJS.Timeout>;
}

/** A `timeout` fault: the request hangs until the fault's timeout, then its socket is destroyed. */
function hang(request: IncomingMessage, ms: number, hanging: Set<NodeJS.Timeout>): void {
  const timer = setTimeout(() => {
    hanging.delete(timer);
    request.socket.destroy();
  }, ms);
  hanging.add(timer);
  request.on('close', () => {
    clearTimeout(timer);
    hanging.delete(timer);
  });
}

/** Answers one request: `/sim/status`, else the venue's route, through the fault plan. */
function handler(options: SimServerOptions, faults: FaultPlan, venue: SimVenue, state: SimState) {
  const route = ROUTES[venue];
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://sim');
    state.requests[url.pathname] = (state.requests[url.pathname] ?? 0) + 1;
    if (request.headers['x-mbx-apikey'] !== undefined || request.headers.authorization !== undefined)
      state.keyed++;
    const now = options.clock.now();
    if (url.pathname === '/sim/status') {
      response
        .writeHead(200, JSON_TYPE)
        .end(JSON.stringify({ now, iso: isoUtc(now), requests: state.requests, injected: faults.injected }));
      return;
    }
    const fault = faults.next(url.pathname.endsWith('/klines') || url.pathname.endsWith('/candles'));
    options.log?.(
      `${isoUtc(now)} ${request.method} ${url.pathname}${url.search}${fault ? ` [fault: ${fault}]` : ''}`,
    );
    if (fault === 'timeout') {
      hang(request, faults.settings.timeout_ms, state.hanging);
      return;
    }
    let reply = route(options, faults, url, now);
    if (fault !== null && reply.status === 200) reply = corrupt(reply, fault, faults, venue);
    response.writeHead(reply.status, { ...JSON_TYPE, ...reply.headers }).end(reply.body);
  };
}

/** Why the simulator could not listen, in an operator's words where it is the address. */
function listenFailure(error: Error, options: SimServerOptions): Error {
  const code = systemErrorCode(error);
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
  return code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL'
    ? new MjolnirError(
        'address_in_use',
        `cannot listen on ${where}: ${describeSystemError(error)}; another simulator may run there (SIM_PORT picks another port)`,
        { cause: error },
      )
    : error;
}

export function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const faults = options.faults ?? new FaultPlan();
  const venue = options.venue ?? 'binance';
  const state: SimState = { requests: {}, keyed: 0, hanging: new Set() };
  const handle = handler(options, faults, venue, state);
  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      response
        .writeHead(500, JSON_TYPE)
        .end(
          venue === 'coinbase'
            ? coinbaseError('INTERNAL', `simulator error: ${(error as Error).message}`)
            : binanceError(-1000, `simulator error: ${(error as Error).message}`),
        );
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(listenFailure(error, options)));
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host ?? '127.0.0.1'}:${port}`,
        port,
        venue,
        clock: options.clock,
        faults,
        requests: state.requests,
        keyed: () => state.keyed,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of state.hanging) clearTimeout(timer);
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
