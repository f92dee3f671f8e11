import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { MjolnirError } from '../core/index.js';
import type { KeptVerdict } from './health-monitor.js';

/** What the paper process serves over HTTP: read from what it keeps, never computed on a request. */
export interface StatusSources {
  readonly registry: Registry;
  /** The health verdict the process keeps (null before its first); absent: no /health (a queue worker). */
  readonly health?: () => KeptVerdict | null;
  /** This machine's time, for the verdict's age. */
  readonly wallNow: () => number;
}

export interface StatusServer {
  /** `http://127.0.0.1:<port>` (the port chosen when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

/** A verdict older than this means the process no longer judges (its event loop is stuck): FAIL. */
export const VERDICT_STALE_MS = 30_000;

function send(res: ServerResponse, status: number, type: string, body: string, headers = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** `/health`'s body: the kept verdict with its age; none yet, or a stale one, is a FAIL that says so. */
export function healthBody(kept: KeptVerdict | null, wallNow: number): { code: number; body: object } {
  if (kept === null)
    return {
      code: 503,
      body: { status: 'FAIL', cause: 'not judged yet: the process is starting', age_ms: null },
    };
  const age = Math.max(0, wallNow - kept.at);
  if (age > VERDICT_STALE_MS)
    return {
      code: 503,
      body: {
        ...kept.report,
        status: 'FAIL',
        cause: `the last verdict is ${Math.round(age / 1000)} s old: the process has stopped judging (event loop stuck?)`,
        age_ms: age,
      },
    };
  return { code: kept.report.status === 'FAIL' ? 503 : 200, body: { ...kept.report, age_ms: age } };
}

/** How long one rendering of /metrics answers every scrape (a scrape every 15 s is the norm). */
export const METRICS_REUSE_MS = 1_000;

/**
 * The metrics text, rendered at most once per `METRICS_REUSE_MS`: scrapes arriving together share one
 * rendering (consistent within itself), so a burst of them costs the loop one rendering, not one each.
 */
function metricsText(sources: StatusSources): () => Promise<string> {
  let kept: { at: number; text: Promise<string> } | null = null;
  return () => {
    const now = sources.wallNow();
    if (kept === null || now - kept.at >= METRICS_REUSE_MS || now < kept.at)
      kept = { at: now, text: sources.registry.metrics() };
    return kept.text;
  };
}

async function route(
  sources: StatusSources,
  metrics: () => Promise<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', { allow: 'GET, HEAD' });
  }
  if (path === '/livez') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
  if (path === '/metrics') {
    return send(res, 200, sources.registry.contentType, await metrics());
  }
  if (path === '/health' && sources.health !== undefined) {
    const { code, body } = healthBody(sources.health(), sources.wallNow());
    return send(res, code, 'application/json', `${JSON.stringify(body)}\n`);
  }
  const paths = sources.health === undefined ? '/livez, /metrics' : '/livez, /health, /metrics';
  send(res, 404, 'text/plain; charset=utf-8', `not found: ${paths}\n`);
}

/** A request the parser refused: headers too large get 431, anything else 400; then the socket closes. */
function refuse(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The paper process's HTTP face: `GET /livez` (the event loop answers), `GET /health` (the kept
 * verdict: 200 OK/WARN, 503 FAIL), `GET /metrics` (Prometheus text). Bound to `host` (127.0.0.1
 * unless told otherwise); port 0 picks a free one. A port in use is a clear `config_invalid` error.
 */
export function startStatusServer(
  sources: StatusSources,
  options: { host: string; port: number; setting?: string },
): Promise<StatusServer> {
  const metrics = metricsText(sources);
  const server = createServer((req, res) => {
    route(sources, metrics, req, res).catch((error: unknown) =>
      send(res, 500, 'text/plain; charset=utf-8', `error: ${(error as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 1000;
  server.on('clientError', refuse);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new MjolnirError(
          'config_invalid',
          `cannot serve HTTP on ${options.host}:${options.port} (${error.code ?? error.message}): set ${options.setting ?? 'HTTP_PORT'} to a free port, 0 for any, or off`,
        ),
      ),
    );
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host}:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
