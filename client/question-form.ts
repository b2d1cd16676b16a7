// The question box: Enter sends, Shift+Enter breaks the line, the box grows with its text, and a hint
// says when questions will wait for the connection.

import { PROTOCOL_LIMITS } from '../server/core/protocol.ts';

/** The elements and callback of a {@link QuestionForm}. */
export interface QuestionFormOptions {
  form: HTMLFormElement;
  textarea: HTMLTextAreaElement;
  /** Short line under the box (keyboard help, or the offline note). */
  hint: HTMLElement;
  /** Receives each trimmed, non-empty question. */
  onSubmit: (question: string) => void;
}

const ONLINE_HINT = 'Enter to send · Shift+Enter for a new line';
const OFFLINE_HINT = 'Not connected — questions you send now will be delivered when the connection is back.';
/** Tallest the box grows before it scrolls, in px. */
const MAX_HEIGHT_PX = 200;

/** Wires the question box. */
export class QuestionForm {
  readonly #options: QuestionFormOptions;

  constructor(options: QuestionFormOptions) {
    this.#options = options;
    const { form, textarea } = options;
    textarea.maxLength = PROTOCOL_LIMITS.maxQuestionChars;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    textarea.addEventListener('keydown', (event) => {
      // While an IME is composing, Enter confirms the composition rather than sending.
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      this.submit();
    });
    textarea.addEventListener('input', () => this.#fitHeight());
    this.setOnline(true);
  }

  /** Sends the current text, if any, and clears the box. */
  submit(): void {
    const question = this.#options.textarea.value.trim();
    if (question.length === 0) {
      this.#options.textarea.focus();
      return;
    }
    this.#options.onSubmit(question);
    this.#options.textarea.value = '';
    this.#fitHeight();
    this.#options.textarea.focus();
  }

  /** Puts `question` in the box and sends it (used by example questions). */
  ask(question: string): void {
    this.#options.textarea.value = question;
    this.submit();
  }

  /** Puts the caret in the question box. */
  focus(): void {
    this.#options.textarea.focus();
  }

  /** Switches the hint between keyboard help and the offline note. */
  setOnline(online: boolean): void {
    this.#options.hint.textContent = online ? ONLINE_HINT : OFFLINE_HINT;
    this.#options.form.dataset.online = String(online);
  }

  #fitHeight(): void {
    const { textarea } = this.#options;
    // Reset first so the box can shrink as well as grow.
    textarea.style.height = 'auto';
    const borders = textarea.offsetHeight - textarea.clientHeight;
    textarea.style.height = `${Math.min(textarea.scrollHeight + borders, MAX_HEIGHT_PX)}px`;
  }
}
