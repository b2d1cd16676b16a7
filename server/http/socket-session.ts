// One chat connection on the server: its frame quota, its follow-up history, its questions handed to the fair
// scheduler, and what happens to a client that keeps sending over its quota (closed with 1008).

import type { RawData, WebSocket } from 'ws';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { dispatchFrame, parseClientFrame, PROTOCOL_LIMITS, type AskFrame, type ClientFrame, type FrameHandlers, type ServerFrame } from '../core/protocol.ts';
import type { QaService } from '../qa-service.ts';
import { errorFrameOf } from './error-response.ts';
import type { QuestionScheduler } from './question-scheduler.ts';
import { TokenBucket, type RateLimit } from './rate-limiter.ts';

/** Limits of one connection. */
export interface SessionLimits {
  /** Frames (of any kind, valid or not) a connection may send: a steady rate with bursts. */
  rate: RateLimit;
  /** Frames over the rate within `windowMs` after which the connection is closed (1008) and its address banned. */
  violations: { max: number; windowMs: number };
  /** Questions of one connection waiting or being answered; more are refused, without using up quota. */
  maxQueued: number;
  /** Earlier questions kept per connection, so a short follow-up is answered in context. */
  historyLength: number;
}

/** What a session needs from the socket that made it. */
export interface SessionDeps {
  service: QaService;
  scheduler: QuestionScheduler;
  limits: SessionLimits;
  log: Logger;
  /** Sends a frame, unless the client does not read its answers (then the socket is dropped). */
  send(frame: ServerFrame): void;
  /** Called once when the session closes the connection for flooding. */
  onFlood(): void;
}

/** Close code and reason for a client that kept sending over its quota (RFC 6455: policy violation). */
export const FLOOD_CLOSE = { code: 1008, reason: 'too many frames over the rate limit' } as const;
/** How long a flooding client has to acknowledge the close before its connection is dropped. */
const FLOOD_CLOSE_GRACE_MS = 1_000;

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

/** The request id of a frame, if it has a usable one; for answering a frame refused before it is read. */
function requestIdOf(data: RawData, isBinary: boolean): string | null {
  if (isBinary) return null;
  try {
    return parseClientFrame(rawToText(data)).id;
  } catch (error) {
    return error instanceof AppError ? error.requestId : null;
  }
}

/** The server side of one chat connection. */
export class SocketSession {
  readonly #ws: WebSocket;
  readonly #deps: SessionDeps;
  readonly #bucket: TokenBucket;
  /** Times of recent frames over the rate, oldest first, within the violation window. */
  readonly #violations: number[] = [];
  /** Earlier questions (as understood), oldest first, for follow-ups. */
  readonly #history: Array<{ text: string }> = [];
  /** Set once the connection is being closed; later frames are ignored at no cost. */
  #closing = false;
  /** One handler per client frame type (the protocol's table; a new type is a compile error until handled here). */
  readonly #handlers: FrameHandlers<ClientFrame> = { ask: (frame) => this.#enqueue(frame) };

  constructor(ws: WebSocket, deps: SessionDeps) {
    this.#ws = ws;
    this.#deps = deps;
    this.#bucket = new TokenBucket(deps.limits.rate);
  }

  /** Stops taking frames; questions already queued are still answered. */
  stopTaking(): void {
    this.#closing = true;
  }

  /** Handles one frame from the client. */
  receive(data: RawData, isBinary: boolean): void {
    if (this.#closing) return;
    if (!this.#bucket.take()) {
      this.#overLimit(data, isBinary);
      return;
    }
    let frame: ClientFrame;
    try {
      if (isBinary) throw new AppError('bad_request', 'binary frames are not accepted; send JSON text');
      frame = parseClientFrame(rawToText(data));
    } catch (error) {
      this.#deps.send(errorFrameOf(error, this.#deps.log));
      return;
    }
    dispatchFrame(this.#handlers, frame);
  }

  /** Hands a question to the fair scheduler, or refuses it when this connection already has too many waiting. */
  #enqueue(frame: AskFrame): void {
    if (!this.#deps.scheduler.enqueue(this, () => this.#answer(frame, this.#remember(frame.question)))) {
      // Refused for the queue, not the rate: the frame's token is returned.
      this.#bucket.giveBack();
      this.#deps.send(errorFrameOf(new AppError('rate_limited', `at most ${this.#deps.limits.maxQueued} questions waiting at once`, { requestId: frame.id }), this.#deps.log));
    }
  }

  /**
   * Records the question on arrival (so "the previous question" follows the order the client asked in) and
   * returns the earlier ones with the entry to update once the question is understood.
   */
  #remember(question: string): { earlier: string[]; entry: { text: string } } {
    const earlier = this.#history.map((item) => item.text);
    const entry = { text: question };
    this.#history.push(entry);
    if (this.#history.length > this.#deps.limits.historyLength) this.#history.shift();
    return { earlier, entry };
  }

  async #answer(frame: AskFrame, context: { earlier: string[]; entry: { text: string } }): Promise<void> {
    try {
      const { speechIds, from, to } = frame;
      const { understoodAs, ...answer } = await this.#deps.service.ask(frame.question, {
        topK: frame.topK,
        filter: { speechIds, from, to },
        history: context.earlier,
      });
      // The question as understood, so a chain of follow-ups keeps its topic; capped so it cannot grow.
      context.entry.text = [...understoodAs].slice(-PROTOCOL_LIMITS.maxQuestionChars).join('');
      this.#deps.send({ type: 'answer', id: frame.id, ...answer });
    } catch (error) {
      this.#deps.send(errorFrameOf(error, this.#deps.log, frame.id));
    }
  }

  /**
   * A frame over the rate: answered with `rate_limited` while the violations are few; after `violations.max` of
   * them within the window the connection is closed (1008) and every later frame is ignored unread.
   */
  #overLimit(data: RawData, isBinary: boolean): void {
    const now = performance.now();
    const { max, windowMs } = this.#deps.limits.violations;
    this.#violations.push(now);
    while (this.#violations.length > 0 && now - this.#violations[0]! > windowMs) this.#violations.shift();
    if (this.#violations.length >= max) {
      this.#closeForFlooding();
      return;
    }
    const requestId = requestIdOf(data, isBinary);
    this.#deps.send(errorFrameOf(new AppError('rate_limited', 'too many frames; wait a moment', { requestId }), this.#deps.log));
  }

  #closeForFlooding(): void {
    this.#closing = true;
    this.#deps.scheduler.forget(this);
    this.#deps.onFlood();
    this.#ws.close(FLOOD_CLOSE.code, FLOOD_CLOSE.reason);
    // Unread from here on: whatever else the client sends costs nothing but the kernel's buffer.
    this.#ws.pause();
    setTimeout(() => this.#ws.terminate(), FLOOD_CLOSE_GRACE_MS).unref();
  }
}
