import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MjolnirError } from '../core/index.js';
import type { HealthReport } from '../health/index.js';

/** What the paper process serves over HTTP. */
export interface StatusSources {
  readonly registry: Registry;
  /** The healthcheck's JSON object (what `mjolnir health --json` prints). */
  readonly health: () => Promise<HealthReport & object>;
}

export interface StatusServer {
  /** `http://127.0.0.1:<port>` (the port chosen when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function route(sources: StatusSources, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  }
  if (path === '/livez') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
  if (path === '/metrics') {
    return send(res, 200, sources.registry.contentType, await sources.registry.metrics());
  }
  if (path === '/health') {
    const report = await sources.health();
    return send(res, report.status === 'FAIL' ? 503 : 200, 'application/json', `${JSON.stringify(report)}\n`);
  }
  send(res, 404, 'text/plain; charset=utf-8', 'not found: /livez, /health, /metrics\n');
}

/**
 * The paper process's HTTP face: `GET /livez` (the event loop answers), `GET /health` (200 OK/WARN,
 * 503 FAIL), `GET /metrics` (Prometheus text). Bound to `host` (127.0.0.1 unless told otherwise);
 * port 0 picks a free one. A port in use is a clear `config_invalid` error.
 */
export function startStatusServer(
  sources: StatusSources,
  options: { host: string; port: number },
): Promise<StatusServer> {
  const server = createServer((req, res) => {
    route(sources, req, res).catch((error: unknown) =>
      send(res, 500, 'text/plain; charset=utf-8', `error: ${(error as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new MjolnirError(
          'config_invalid',
          `cannot serve HTTP on ${options.host}:${options.port} (${error.code ?? error.message}): set HTTP_PORT to a free port, 0 for any, or off`,
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
