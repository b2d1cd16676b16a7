// The chat socket: connects to the server, reconnects with capped exponential backoff, and keeps every
// question until its answer arrives — asks made while offline are queued, asks lost with a socket are re-sent.

import { assertNever, type AskFrame, type ServerFrame } from '../server/core/protocol.ts';
import { parseServerFrame } from '../server/core/server-frames.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

/** Where the connection stands, as shown to the user. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Whether a question is waiting for a connection or already with the server. */
export type Delivery = 'queued' | 'sent';

/** Details accompanying a state change. */
export interface StateDetail {
  /** When a retry is scheduled: ms until it. `null` while an attempt is under way or when connected. */
  retryInMs: number | null;
  /** Consecutive failed attempts so far. */
  failures: number;
}

/** Callbacks and knobs of a {@link ChatConnection}. */
export interface ChatConnectionOptions {
  /** The `ws://` or `wss://` URL of the chat socket. */
  url: string;
  /** Every valid frame from the server, in order. */
  onFrame: (frame: ServerFrame) => void;
  onStateChange: (state: ConnectionState, detail: StateDetail) => void;
  /** A question moved between waiting (`queued`) and with the server (`sent`). */
  onDelivery?: (id: string, delivery: Delivery) => void;
  /** A frame that could not be parsed; it is dropped. */
  onBadFrame?: (error: unknown) => void;
  backoff?: BackoffPolicy;
  /** Questions sent at once; the rest wait their turn, so a reconnect flushing a long queue is not refused as a flood. */
  maxInFlight?: number;
  /** Opens the socket; injectable for tests. Defaults to `new WebSocket(url)`. */
  createSocket?: (url: string) => WebSocket;
}

/** Default {@link ChatConnectionOptions.url}: `/ws` on the page's own host, secure when the page is. */
export function defaultSocketUrl(location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/** A self-healing chat connection. Call {@link ChatConnection.connect} once; it keeps itself connected. */
export class ChatConnection {
  readonly #options: ChatConnectionOptions;
  #socket: WebSocket | null = null;
  #state: ConnectionState = 'connecting';
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Asks not yet written to the current socket, oldest first. */
  #outbox: AskFrame[] = [];
  /** Asks written to the current socket and not yet answered. */
  readonly #inFlight = new Map<string, AskFrame>();
  #stopped = false;

  constructor(options: ChatConnectionOptions) {
    this.#options = options;
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Opens the socket (no-op while one is open or opening). */
  connect(): void {
    this.#stopped = false;
    this.#clearRetry();
    if (this.#socket) return;
    this.#setState(this.#failures === 0 && this.#state === 'connecting' ? 'connecting' : 'reconnecting', null);
    let socket: WebSocket;
    try {
      socket = (this.#options.createSocket ?? ((url) => new WebSocket(url)))(this.#options.url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#socket !== socket) return;
      this.#setState('connected', null);
      this.#flush();
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (this.#socket !== socket) return;
      this.#receive(event.data);
    });
    // 'error' carries no detail and is always followed by 'close', which does the work.
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#requeueInFlight();
      if (this.#stopped) this.#setState('closed', null);
      else this.#scheduleRetry();
    });
  }

  /**
   * Sends a question now, or queues it until the connection is back.
   * Re-asking an id already pending is ignored.
   */
  ask(frame: AskFrame): Delivery {
    if (this.#inFlight.has(frame.id)) return 'sent';
    if (this.#outbox.some((queued) => queued.id === frame.id)) return 'queued';
    this.#outbox.push(frame);
    this.#flush();
    return this.#inFlight.has(frame.id) ? 'sent' : 'queued';
  }

  /** Skips the wait of a scheduled retry (e.g. when the browser comes back online). */
  retryNow(): void {
    if (this.#retryTimer !== null) this.connect();
  }

  /** Closes the socket for good; pending questions stay queued. */
  close(): void {
    this.#stopped = true;
    this.#clearRetry();
    if (this.#socket) this.#socket.close(1000, 'client closing');
    else this.#setState('closed', null);
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.#options.onBadFrame?.(new Error('binary frame ignored'));
      return;
    }
    let frame: ServerFrame;
    try {
      frame = parseServerFrame(data);
    } catch (error) {
      this.#options.onBadFrame?.(error);
      return;
    }
    this.#settle(frame);
    this.#options.onFrame(frame);
    this.#flush();
  }

  /** What a frame means for the connection itself, whatever the page does with it. */
  #settle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        // A healthy server greets us; only then is the failure streak over (a server that accepts and drops keeps backing off).
        this.#failures = 0;
        return;
      case 'answer':
      case 'error':
        if (frame.id !== null) this.#inFlight.delete(frame.id);
        return;
      case 'mode':
      case 'corpus':
        return;
      default:
        assertNever(frame, 'server frame');
    }
  }

  #flush(): void {
    const socket = this.#socket;
    const limit = this.#options.maxInFlight ?? 3;
    while (socket && socket.readyState === WebSocket.OPEN && this.#outbox.length > 0 && this.#inFlight.size < limit) {
      const frame = this.#outbox.shift();
      if (!frame) break;
      socket.send(JSON.stringify(frame));
      this.#inFlight.set(frame.id, frame);
      this.#options.onDelivery?.(frame.id, 'sent');
    }
  }

  /** Answers to asks on a dead socket will never come; put them back in front of the queue, in order. */
  #requeueInFlight(): void {
    const lost = [...this.#inFlight.values()];
    this.#inFlight.clear();
    this.#outbox.unshift(...lost);
    for (const frame of lost) this.#options.onDelivery?.(frame.id, 'queued');
  }

  #scheduleRetry(): void {
    this.#failures += 1;
    const delay = backoffDelay(this.#failures, this.#options.backoff ?? DEFAULT_BACKOFF);
    this.#setState('reconnecting', delay);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.connect();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #setState(state: ConnectionState, retryInMs: number | null): void {
    this.#state = state;
    this.#options.onStateChange(state, { retryInMs, failures: this.#failures });
  }
}
