// The chat WebSocket at `/ws`: greets with `ready`, answers `ask` frames, and turns every bad frame into an
// `error` frame without closing the connection. Slow or abusive clients are limited on their own.

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { dispatchFrame, parseClientFrame, PROTOCOL_LIMITS, type ClientFrame, type FrameHandlers, type ServerFrame } from '../core/protocol.ts';
import type { QaService } from '../qa-service.ts';
import { errorFrameOf } from './error-response.ts';
import { TokenBucket, type RateLimit } from './rate-limiter.ts';

/** Limits of one connection. */
export interface ChatSocketLimits {
  rate: RateLimit;
  /** Questions of one connection being answered at once; more are refused with `rate_limited`. */
  maxInFlight: number;
  /** A client that lets this many bytes pile up unread is disconnected. */
  maxBufferedBytes: number;
  /** Ping interval; a client that misses a pong is disconnected. */
  heartbeatMs: number;
  /** Earlier questions kept per connection, so a short follow-up is answered in context. */
  historyLength: number;
}

/** Defaults for {@link ChatSocketLimits}. */
export const DEFAULT_CHAT_SOCKET_LIMITS: ChatSocketLimits = {
  rate: { burst: 20, perSecond: 5 },
  maxInFlight: 4,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  historyLength: 3,
};

/** What {@link attachChatSocket} needs. */
export interface ChatSocketDeps {
  service: QaService;
  log?: Logger;
  limits?: Partial<ChatSocketLimits>;
}

/** Handles WebSocket upgrades at `/ws` on `server`. Returns a function that closes every connection. */
export function attachChatSocket(server: Server, deps: ChatSocketDeps): { close(): void } {
  const log = deps.log ?? SILENT_LOGGER;
  const limits = { ...DEFAULT_CHAT_SOCKET_LIMITS, ...deps.limits };
  // Frames between maxFrameBytes and this get a `too_long` answer; beyond it ws closes the connection (1009).
  // UTF-8 is checked here rather than by ws, which would close the connection (1007) instead of answering.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, skipUTF8Validation: true });
  const alive = new WeakMap<WebSocket, boolean>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
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

  const unsubscribe = deps.service.onModeChange((mode) => {
    for (const ws of wss.clients) send(ws, { type: 'mode', mode });
  });
  // Sent once the service answers from the changed corpus, so a client's next question can cite a new speech.
  const unsubscribeCorpus = deps.service.onCorpusChange(({ speeches, paragraphs }) => {
    for (const ws of wss.clients) send(ws, { type: 'corpus', speeches, paragraphs });
  });

  wss.on('connection', (ws) => {
    const bucket = new TokenBucket(limits.rate);
    let inFlight = 0;
    const history: Array<{ text: string }> = [];
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (error) => log.warn(`socket: ${error.message}`));
    const { mode, speeches, paragraphs } = deps.service.status();
    send(ws, { type: 'ready', mode, speeches, paragraphs });

    /** One handler per client frame type (the protocol's table; a new type is a compile error until handled here). */
    const handlers: FrameHandlers<ClientFrame, Promise<void>> = {
      ask: async (frame) => {
        if (inFlight >= limits.maxInFlight) {
          throw new AppError('rate_limited', `at most ${limits.maxInFlight} questions at once`, { requestId: frame.id });
        }
        inFlight += 1;
        // Recorded on arrival, so "the previous question" follows the order the client asked in.
        const earlier = [...history];
        const entry = { text: frame.question };
        history.push(entry);
        if (history.length > limits.historyLength) history.shift();
        try {
          const { speechIds, from, to } = frame;
          const { understoodAs, ...answer } = await deps.service.ask(frame.question, {
            topK: frame.topK,
            filter: { speechIds, from, to },
            history: earlier.map((item) => item.text),
          });
          // The question as understood, so a chain of follow-ups keeps its topic; capped so it cannot grow.
          entry.text = understoodAs.slice(-PROTOCOL_LIMITS.maxQuestionChars);
          send(ws, { type: 'answer', id: frame.id, ...answer });
        } finally {
          inFlight -= 1;
        }
      },
    };

    ws.on('message', async (data: RawData, isBinary: boolean) => {
      let requestId: string | null = null;
      try {
        if (isBinary) throw new AppError('bad_request', 'binary frames are not accepted; send JSON text');
        const frame = parseClientFrame(rawToText(data));
        requestId = frame.id;
        if (!bucket.take()) throw new AppError('rate_limited', 'too many questions; wait a moment', { requestId });
        await dispatchFrame(handlers, frame);
      } catch (error) {
        send(ws, errorFrameOf(error, log, requestId));
      }
    });
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  return {
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeCorpus();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a text frame. @throws AppError `bad_request` when it is not valid UTF-8. */
function rawToText(data: RawData): string {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new AppError('bad_request', 'the frame is not valid UTF-8 text');
  }
}
