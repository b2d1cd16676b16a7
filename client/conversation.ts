// The conversation history: each question with its pending state, then its answer or error, in an aria-live log.
// It can be listed (to keep it across a reload, or export it), restored, and cleared for a new conversation.

import type { AnswerFrame, AskFrame, ErrorFrame, WireErrorCode } from '../server/core/protocol.ts';
import { renderAnswer } from './answer-view.ts';
import type { Delivery } from './chat-connection.ts';
import type { StoredExchange } from './conversation-store.ts';
import { el, scrollBehavior } from './dom.ts';
import type { OpenSpeechRequest } from './speech-viewer.ts';

/** Options of a {@link Conversation}. */
export interface ConversationOptions {
  /** The `role="log"` container exchanges are appended to. */
  log: HTMLElement;
  /** Shown until the first question; hidden afterwards. */
  emptyState?: HTMLElement | null;
  onOpenCitation: (request: OpenSpeechRequest) => void;
  /** "Ask again" after a transient error. */
  onRetry: (question: string) => void;
  /** The exchanges changed: a question was added, answered or the conversation cleared. */
  onChange?: () => void;
  /** After this long without an answer, say that we are still waiting (ms). */
  slowAfterMs?: number;
}

interface Exchange {
  ask: AskFrame;
  scope: string | null;
  element: HTMLElement;
  reply: HTMLElement;
  result: AnswerFrame | ErrorFrame | null;
  delivery: Delivery;
  slowTimer: ReturnType<typeof setTimeout> | null;
}

const ERROR_TEXT: Record<WireErrorCode, string> = {
  rate_limited: 'Too many questions in a short time. Please wait a few seconds and ask again.',
  too_long: 'The question is too long. Please shorten it and ask again.',
  bad_request: 'The server could not read this question.',
  bad_json: 'The server could not read this question.',
  internal: 'Something went wrong on the server while answering.',
};
const RETRYABLE = new Set<string>(['rate_limited', 'internal']);

/** What an error frame's code means, in words. */
export function errorSummary(code: WireErrorCode): string {
  return ERROR_TEXT[code];
}

/** The list of exchanges on the page. */
export class Conversation {
  readonly #options: ConversationOptions;
  readonly #exchanges = new Map<string, Exchange>();
  #online = true;

  constructor(options: ConversationOptions) {
    this.#options = options;
  }

  /** True before the first question (and after a new conversation). */
  get isEmpty(): boolean {
    return this.#exchanges.size === 0;
  }

  /**
   * Appends the user's question with a pending reply.
   * @param options.scope the speech filter in force, in words, shown under the question.
   */
  addQuestion(ask: AskFrame, delivery: Delivery, options: { scope?: string | null } = {}): void {
    this.#append(ask, delivery, options.scope ?? null);
    this.#options.onChange?.();
  }

  /** Shows exchanges kept from before a reload, answered ones with their answers; pending ones get `delivery`. */
  restore(exchanges: readonly StoredExchange[], delivery: (ask: AskFrame) => Delivery): void {
    for (const { ask, scope, reply } of exchanges) {
      const exchange = this.#append(ask, reply === null ? delivery(ask) : 'sent', scope, { scroll: false });
      if (reply === null) continue;
      this.#settle(exchange, reply);
      if (reply.type === 'answer') this.#renderAnswer(exchange, reply);
      else this.#renderError(exchange, reply);
    }
    this.#options.log.lastElementChild?.scrollIntoView({ block: 'end' });
  }

  /** The exchanges in order, as kept and exported. */
  list(): StoredExchange[] {
    return [...this.#exchanges.values()].map(({ ask, scope, result }) => ({ ask, scope, reply: result }));
  }

  /** Removes every exchange and shows the empty state again. */
  clear(): void {
    for (const exchange of this.#exchanges.values()) this.#clearSlowTimer(exchange);
    this.#exchanges.clear();
    this.#options.log.replaceChildren();
    if (this.#options.emptyState) this.#options.emptyState.hidden = false;
    this.#options.onChange?.();
  }

  /** Updates a pending reply to say whether the question waits for the connection or is being answered. */
  setDelivery(id: string, delivery: Delivery): void {
    const exchange = this.#exchanges.get(id);
    if (!exchange || exchange.result !== null) return;
    this.#clearSlowTimer(exchange);
    exchange.delivery = delivery;
    exchange.reply.setAttribute('aria-busy', 'true');
    if (delivery === 'queued') {
      const text = this.#online
        ? 'Queued — it will be sent right after the questions before it.'
        : 'Waiting for the connection — your question will be sent as soon as it is back.';
      exchange.reply.replaceChildren(el('p', { className: 'pending is-queued', text }));
      return;
    }
    exchange.reply.replaceChildren(el('p', { className: 'pending', children: [spinner(), 'Searching the speeches…'] }));
    exchange.slowTimer = setTimeout(() => {
      if (exchange.result === null) exchange.reply.append(el('p', { className: 'pending-note', text: 'Still working — the server is taking longer than usual.' }));
    }, this.#options.slowAfterMs ?? 20_000);
  }

  /** Tells whether the connection is up, so queued questions say what they are waiting for. */
  setOnline(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    for (const [id, exchange] of this.#exchanges) {
      if (exchange.result === null && exchange.delivery === 'queued') this.setDelivery(id, 'queued');
    }
  }

  /** Shows the answer to question `frame.id`; answers to unknown or already answered ids are ignored. */
  showAnswer(frame: AnswerFrame): void {
    const exchange = this.#pending(frame.id);
    if (!exchange) return;
    this.#settle(exchange, frame);
    this.#renderAnswer(exchange, frame);
    exchange.element.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
    this.#options.onChange?.();
  }

  /** Shows an error: in its exchange when it names one, otherwise as a notice in the log. */
  showError(frame: ErrorFrame): void {
    const exchange = frame.id === null ? undefined : this.#pending(frame.id);
    if (!exchange) {
      this.#options.log.append(el('div', { className: 'exchange', children: [errorBody(frame)] }));
      return;
    }
    this.#settle(exchange, frame);
    this.#renderError(exchange, frame);
    exchange.element.scrollIntoView({ block: 'nearest', behavior: scrollBehavior() });
    this.#options.onChange?.();
  }

  #append(ask: AskFrame, delivery: Delivery, scope: string | null, options: { scroll: boolean } = { scroll: true }): Exchange {
    if (this.#options.emptyState) this.#options.emptyState.hidden = true;
    const reply = el('div', { className: 'reply' });
    const element = el('article', {
      className: 'exchange',
      attrs: { 'aria-label': `Question: ${ask.question.slice(0, 80)}` },
      children: [
        el('div', {
          className: 'question',
          children: [el('span', { className: 'visually-hidden', text: 'You asked: ' }), el('p', { className: 'question-text', text: ask.question })],
        }),
        scope ? el('p', { className: 'question-scope', text: `Searched: ${scope}` }) : null,
        reply,
      ],
    });
    const exchange: Exchange = { ask, scope, element, reply, result: null, delivery, slowTimer: null };
    this.#exchanges.set(ask.id, exchange);
    this.#options.log.append(element);
    this.setDelivery(ask.id, delivery);
    if (options.scroll) element.scrollIntoView({ block: 'end', behavior: scrollBehavior() });
    return exchange;
  }

  #renderAnswer(exchange: Exchange, frame: AnswerFrame): void {
    exchange.reply.replaceChildren(renderAnswer(frame, { onOpenCitation: this.#options.onOpenCitation }));
  }

  #renderError(exchange: Exchange, frame: ErrorFrame): void {
    const body = errorBody(frame);
    if (RETRYABLE.has(frame.code)) {
      const retry = el('button', { className: 'secondary-button', attrs: { type: 'button' }, text: 'Ask again' });
      retry.addEventListener('click', () => this.#options.onRetry(exchange.ask.question));
      body.append(retry);
    }
    exchange.reply.replaceChildren(body);
  }

  #pending(id: string): Exchange | undefined {
    const exchange = this.#exchanges.get(id);
    return exchange && exchange.result === null ? exchange : undefined;
  }

  #settle(exchange: Exchange, result: AnswerFrame | ErrorFrame): void {
    exchange.result = result;
    this.#clearSlowTimer(exchange);
    exchange.reply.removeAttribute('aria-busy');
  }

  #clearSlowTimer(exchange: Exchange): void {
    if (exchange.slowTimer !== null) clearTimeout(exchange.slowTimer);
    exchange.slowTimer = null;
  }
}

function errorBody(frame: ErrorFrame): HTMLElement {
  const detail = frame.message ? `Server message: ${frame.message}` : null;
  return el('div', {
    className: 'answer answer-error',
    attrs: { role: 'alert' },
    children: [el('p', { className: 'answer-lead', text: errorSummary(frame.code) }), detail ? el('p', { className: 'answer-hint', text: detail }) : null],
  });
}

function spinner(): HTMLElement {
  return el('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } });
}
