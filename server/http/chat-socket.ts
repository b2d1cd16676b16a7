// The chat WebSocket at `/ws`: admits upgrades (path, connection limits, Host, Origin), greets with `ready`,
// hands each connection to a session, tells every client about mode and corpus changes, and drains on shutdown.

import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import type { ServerFrame } from '../core/protocol.ts';
import type { QaService } from '../qa-service.ts';
import { clientAddressOf, type ConnectionGuard } from './connection-guard.ts';
import { endSocketWith, rawHttpErrorOf } from './error-response.ts';
import { isAllowedHost, isAllowedOrigin, STRICT_HOST_POLICY, type HostPolicy } from './host-policy.ts';
import { createQuestionScheduler } from './question-scheduler.ts';
import { createRefusalLog } from './refusal-log.ts';
import { SocketSession, type SessionLimits } from './socket-session.ts';

/** Limits of the chat socket: those of each connection, plus the work shared by all. */
export interface ChatSocketLimits extends SessionLimits {
  /** Questions answered at once over all connections (each connection has one answered at a time). */
  concurrency: number;
  /** A client that lets this many bytes pile up unread is disconnected. */
  maxBufferedBytes: number;
  /** Ping interval; a client that misses a pong is disconnected. */
  heartbeatMs: number;
}

/** Defaults for {@link ChatSocketLimits}. */
export const DEFAULT_CHAT_SOCKET_LIMITS: ChatSocketLimits = {
  rate: { burst: 20, perSecond: 5 },
  violations: { max: 20, windowMs: 10_000 },
  maxQueued: 20,
  concurrency: 4,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  historyLength: 3,
};

/** Close code and reason when the server shuts down (RFC 6455: going away). */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'server shutting down' } as const;

/** What {@link attachChatSocket} needs. */
export interface ChatSocketDeps {
  service: QaService;
  log?: Logger;
  limits?: Partial<ChatSocketLimits>;
  /** Host names and page origins accepted; the strict policy by default. */
  hostPolicy?: HostPolicy;
  /** Connection admission (refusals answered here for upgrades; flooding addresses banned). */
  guard?: ConnectionGuard;
}

/** The chat socket of a server. */
export interface ChatSocket {
  /**
   * Stops taking questions and upgrades, answers every question already received, then closes each connection
   * with 1001; resolves once they are closed (connections that do not acknowledge within `graceMs` are dropped).
   */
  drain(options: { graceMs: number }): Promise<void>;
  /** Drops every connection at once. */
  close(): void;
}

/** Handles WebSocket upgrades at `/ws` on `server`. */
export function attachChatSocket(server: Server, deps: ChatSocketDeps): ChatSocket {
  const log = deps.log ?? SILENT_LOGGER;
  const limits = { ...DEFAULT_CHAT_SOCKET_LIMITS, ...deps.limits };
  const policy = deps.hostPolicy ?? STRICT_HOST_POLICY;
  const refusals = createRefusalLog(log, { intervalMs: 60_000 });
  const scheduler = createQuestionScheduler({ concurrency: limits.concurrency, maxQueuedPerClient: limits.maxQueued });
  // Frames between the protocol's 16 kB and this get a `too_long` answer; beyond it ws closes the connection (1009).
  // UTF-8 is checked by the session rather than by ws, which would close the connection (1007) instead of answering.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, skipUTF8Validation: true });
  const sessions = new Map<WebSocket, SocketSession>();
  const alive = new WeakMap<WebSocket, boolean>();
  let draining = false;

  const refuseUpgrade = (socket: Duplex, error: AppError, retryAfterSeconds?: number) => endSocketWith(socket, rawHttpErrorOf(error, log, { retryAfterSeconds }));

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = deps.guard?.refusalOf(socket as Socket);
    if (refusal !== undefined) return refuseUpgrade(socket, refusal.error, refusal.retryAfterSeconds);
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/ws') {
      return refuseUpgrade(socket, new AppError('not_found', 'no WebSocket here; the chat socket is at /ws'));
    }
    if (draining) return refuseUpgrade(socket, new AppError('overloaded', 'the server is shutting down; try again shortly'), 5);
    const { host, origin } = request.headers;
    if (!isAllowedHost(host, policy) || !isAllowedOrigin(origin, host, policy)) {
      const address = clientAddressOf(socket as Socket);
      refusals.refused(address, `chat socket from origin ${JSON.stringify(origin ?? '')} for host ${JSON.stringify(host ?? '')}`);
      return refuseUpgrade(socket, new AppError('bad_origin', 'this chat socket serves the pages of its own server only (see ALLOWED_ORIGINS and ALLOWED_HOSTS)'));
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const send = (ws: WebSocket, frame: ServerFrame) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      log.warn('socket: disconnecting a client that does not read its answers');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  };
  const broadcast = (frame: ServerFrame) => {
    for (const ws of sessions.keys()) send(ws, frame);
  };
  const unsubscribe = deps.service.onModeChange((mode) => broadcast({ type: 'mode', mode }));
  // Sent once the service answers from the changed corpus, so a client's next question can cite a new speech.
  const unsubscribeCorpus = deps.service.onCorpusChange(({ speeches, paragraphs }) => broadcast({ type: 'corpus', speeches, paragraphs }));

  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    const address = clientAddressOf(request.socket);
    const session = new SocketSession(ws, {
      service: deps.service,
      scheduler,
      limits,
      log,
      send: (frame) => send(ws, frame),
      onFlood: () => {
        refusals.refused(address, 'closed a chat socket that kept sending over its rate limit (1008); address banned for a while');
        deps.guard?.ban(address);
      },
    });
    sessions.set(ws, session);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (error) => log.warn(`socket: ${error.message}`));
    ws.on('close', () => {
      sessions.delete(ws);
      scheduler.forget(session);
    });
    ws.on('message', (data, isBinary) => session.receive(data, isBinary));
    const { mode, speeches, paragraphs } = deps.service.status();
    send(ws, { type: 'ready', mode, speeches, paragraphs });
  });

  const heartbeat = setInterval(() => {
    for (const ws of sessions.keys()) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  const detach = () => {
    clearInterval(heartbeat);
    unsubscribe();
    unsubscribeCorpus();
    server.off('upgrade', onUpgrade);
  };

  return {
    async drain({ graceMs }) {
      draining = true;
      for (const session of sessions.values()) session.stopTaking();
      await scheduler.idle();
      detach();
      const closed = [...sessions.keys()].map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
      }));
      const grace = setTimeout(() => {
        for (const ws of sessions.keys()) ws.terminate();
      }, graceMs);
      await Promise.all(closed);
      clearTimeout(grace);
      wss.close();
    },
    close() {
      draining = true;
      detach();
      for (const ws of sessions.keys()) ws.terminate();
      wss.close();
    },
  };
}
