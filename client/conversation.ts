// The conversation history: each question with its pending state, then its answer or error, in an aria-live log.

import type { AnswerFrame, ErrorFrame, WireErrorCode } from '../server/core/protocol.ts';
import { renderAnswer } from './answer-view.ts';
import type { Delivery } from './chat-connection.ts';
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
  /** After this long without an answer, say that we are still waiting (ms). */
  slowAfterMs?: number;
}

interface Exchange {
  question: string;
  element: HTMLElement;
  reply: HTMLElement;
  answered: boolean;
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

/** The list of exchanges on the page. */
export class Conversation {
  readonly #options: ConversationOptions;
  readonly #exchanges = new Map<string, Exchange>();
  #online = true;

  constructor(options: ConversationOptions) {
    this.#options = options;
  }

  /**
   * Appends the user's question with a pending reply.
   * @param options.scope the speech filter in force, in words, shown under the question.
   */
  addQuestion(id: string, question: string, delivery: Delivery, options: { scope?: string | null } = {}): void {
    if (this.#options.emptyState) this.#options.emptyState.hidden = true;
    const reply = el('div', { className: 'reply' });
    const element = el('article', {
      className: 'exchange',
      attrs: { 'aria-label': `Question: ${question.slice(0, 80)}` },
      children: [
        el('div', {
          className: 'question',
          children: [el('span', { className: 'visually-hidden', text: 'You asked: ' }), el('p', { className: 'question-text', text: question })],
        }),
        options.scope ? el('p', { className: 'question-scope', text: `Searched: ${options.scope}` }) : null,
        reply,
      ],
    });
    const exchange: Exchange = { question, element, reply, answered: false, delivery, slowTimer: null };
    this.#exchanges.set(id, exchange);
    this.#options.log.append(element);
    this.setDelivery(id, delivery);
    element.scrollIntoView({ block: 'end', behavior: scrollBehavior() });
  }

  /** Updates a pending reply to say whether the question waits for the connection or is being answered. */
  setDelivery(id: string, delivery: Delivery): void {
    const exchange = this.#exchanges.get(id);
    if (!exchange || exchange.answered) return;
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
      if (!exchange.answered) exchange.reply.append(el('p', { className: 'pending-note', text: 'Still working — the server is taking longer than usual.' }));
    }, this.#options.slowAfterMs ?? 20_000);
  }

  /** Tells whether the connection is up, so queued questions say what they are waiting for. */
  setOnline(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    for (const [id, exchange] of this.#exchanges) {
      if (!exchange.answered && exchange.delivery === 'queued') this.setDelivery(id, 'queued');
    }
  }

  /** Shows the answer to question `frame.id`; answers to unknown or already answered ids are ignored. */
  showAnswer(frame: AnswerFrame): void {
    const exchange = this.#settle(frame.id);
    if (!exchange) return;
    exchange.reply.replaceChildren(renderAnswer(frame, { onOpenCitation: this.#options.onOpenCitation }));
    exchange.element.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
  }

  /** Shows an error: in its exchange when it names one, otherwise as a notice in the log. */
  showError(frame: ErrorFrame): void {
    const exchange = frame.id === null ? undefined : this.#settle(frame.id);
    const summary = ERROR_TEXT[frame.code] ?? 'The server reported an error.';
    const detail = typeof frame.message === 'string' && frame.message ? `Server message: ${frame.message}` : null;
    const body = el('div', {
      className: 'answer answer-error',
      attrs: { role: 'alert' },
      children: [el('p', { className: 'answer-lead', text: summary }), detail ? el('p', { className: 'answer-hint', text: detail }) : null],
    });
    if (!exchange) {
      this.#options.log.append(el('div', { className: 'exchange', children: [body] }));
      return;
    }
    if (RETRYABLE.has(frame.code)) {
      const retry = el('button', { className: 'secondary-button', attrs: { type: 'button' }, text: 'Ask again' });
      retry.addEventListener('click', () => this.#options.onRetry(exchange.question));
      body.append(retry);
    }
    exchange.reply.replaceChildren(body);
    exchange.element.scrollIntoView({ block: 'nearest', behavior: scrollBehavior() });
  }

  #settle(id: string): Exchange | undefined {
    const exchange = this.#exchanges.get(id);
    if (!exchange || exchange.answered) return undefined;
    exchange.answered = true;
    this.#clearSlowTimer(exchange);
    exchange.reply.removeAttribute('aria-busy');
    return exchange;
  }

  #clearSlowTimer(exchange: Exchange): void {
    if (exchange.slowTimer !== null) clearTimeout(exchange.slowTimer);
    exchange.slowTimer = null;
  }
}

function spinner(): HTMLElement {
  return el('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } });
}
