// Starts the HTTP server with the app and the chat socket on one port, with its connection limits and timeouts,
// and stops it: at once, or gracefully (stop accepting, finish what was asked, close sockets with 1001).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_CONFIG } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import type { QaService } from '../qa-service.ts';
import { createApp } from './app.ts';
import { attachChatSocket, type ChatSocketLimits } from './chat-socket.ts';
import { guardConnections, type ConnectionLimits } from './connection-guard.ts';
import { endSocketWith, rawHttpErrorOf } from './error-response.ts';
import type { HostPolicy } from './host-policy.ts';

/** How long a client may take (`HEADERS_TIMEOUT_SECONDS`, `REQUEST_TIMEOUT_SECONDS`, `KEEP_ALIVE_TIMEOUT_SECONDS`). */
export interface HttpTimeouts {
  /** To send a request's headers: a client that drips them (slowloris) is dropped after this. */
  headersMs: number;
  /** To send a whole request, body included (an upload on a slow link). */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

/** Options for {@link startServer}; limits left out take the configuration's defaults. */
export interface ServerOptions {
  service: QaService;
  host: string;
  /** 0 picks a free port. */
  port: number;
  clientDir: string;
  /** The token write routes require; null (the default) disables them. */
  adminToken?: string | null;
  log?: Logger;
  socketLimits?: Partial<ChatSocketLimits>;
  hostPolicy?: HostPolicy;
  connections?: ConnectionLimits;
  httpTimeouts?: HttpTimeouts;
  serveSourceMaps?: boolean;
}

/** A listening server. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  /** Stops at once, dropping every connection. */
  close(): Promise<void>;
  /**
   * Stops gracefully: no new connections or requests; questions already received are answered, then sockets are
   * closed with 1001; requests in flight (an add) are finished. Whatever is still open after `graceMs` is dropped.
   */
  shutDown(options: { graceMs: number }): Promise<void>;
}

/**
 * Answers a request Node could not parse (a malformed request line or header, a non-ASCII path) with a JSON
 * `bad_request` like every other error; a timeout keeps Node's 408, and a reset connection is just dropped.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, log: Logger): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') endSocketWith(socket, 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
  else endSocketWith(socket, rawHttpErrorOf(new AppError('bad_request', `malformed HTTP request (${error.code ?? 'parse error'})`), log));
}

/** How often idle connections are closed while a graceful shutdown waits for the busy ones. */
const IDLE_SWEEP_MS = 100;

/** Listens on `host:port` with the chat page, the API and the socket. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? SILENT_LOGGER;
  const timeouts = options.httpTimeouts ?? DEFAULT_CONFIG.httpTimeouts;
  const hostPolicy = options.hostPolicy ?? DEFAULT_CONFIG.hostPolicy;
  let stopping = false;
  const server = createServer({
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the two timeouts above only this often (30 s by default, which would triple a 10 s limit).
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
  });
  const guard = guardConnections(server, options.connections ?? DEFAULT_CONFIG.connections, { log });
  const app = createApp({
    service: options.service,
    clientDir: options.clientDir,
    adminToken: options.adminToken ?? null,
    log,
    hostPolicy,
    serveSourceMaps: options.serveSourceMaps ?? DEFAULT_CONFIG.serveSourceMaps,
    admission: (req) => guard.refusalOf(req.socket) ?? (stopping ? 'stopping' : undefined),
  });
  server.on('request', app);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, log));
  const socket = attachChatSocket(server, { service: options.service, log, limits: options.socketLimits, hostPolicy, guard });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const closed = () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      stopping = true;
      socket.close();
      guard.close();
      const done = closed();
      server.closeAllConnections();
      await done;
    },
    async shutDown({ graceMs }) {
      stopping = true;
      const deadline = Date.now() + graceMs;
      // Stops listening; resolves once every connection (sockets included) has ended.
      const done = closed();
      await socket.drain({ graceMs });
      // Requests in flight finish; connections left idle by them are closed as they become so.
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const timer = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
      try {
        await done;
      } finally {
        clearInterval(sweep);
        clearTimeout(timer);
        guard.close();
      }
    },
  };
}
