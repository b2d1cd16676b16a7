// The review step of adding a speech: the metadata found in the speech, in labelled fields the person can correct.
// The fields are made from the field table (SPEECH_FIELDS): a new field appears here without touching the page.

import { META_FIELDS, SPEECH_FIELDS, type MetaField } from '../server/core/speech-meta.ts';
import { el } from './dom.ts';
import type { MetaValues } from './speech-admin-api.ts';

/** The form and callback of a {@link SpeechReviewForm}. */
export interface SpeechReviewFormOptions {
  /** A form with a `[data-review-fields]` grid, which receives one labelled input per field, and a submit button `[data-save]`. */
  form: HTMLFormElement;
  /** Called with the checked values when the person saves. */
  onSave: (values: MetaValues) => void;
}

const NOT_FOUND = 'Not found in the speech';

/** Fields given the whole width of the grid: long values (a title, an event, an address). */
const WIDE_FIELDS: ReadonlySet<MetaField> = new Set(['title', 'event', 'source']);

/** One labelled input for `field`, checked by the browser as the table says (required, a date). */
function fieldInput(field: MetaField): { label: HTMLLabelElement; input: HTMLInputElement } {
  const rule = SPEECH_FIELDS[field];
  const input = el('input', { attrs: { name: field, ...(rule.kind === 'date' ? { type: 'date' } : { autocomplete: 'off' }) } });
  input.required = rule.required;
  const label = el('label', { className: WIDE_FIELDS.has(field) ? 'field span-2' : 'field', children: [el('span', { className: 'field-label', text: rule.label }), input] });
  return { label, input };
}

/** Fills, reads and checks the metadata fields. */
export class SpeechReviewForm {
  readonly #form: HTMLFormElement;
  readonly #inputs: Record<MetaField, HTMLInputElement>;
  readonly #save: HTMLButtonElement;

  constructor(options: SpeechReviewFormOptions) {
    this.#form = options.form;
    const grid = this.#form.querySelector('[data-review-fields]');
    if (!(grid instanceof HTMLElement)) throw new Error('review form is missing its [data-review-fields] grid');
    const inputs: Partial<Record<MetaField, HTMLInputElement>> = {};
    for (const field of META_FIELDS) {
      const { label, input } = fieldInput(field);
      grid.append(label);
      inputs[field] = input;
    }
    this.#inputs = inputs as Record<MetaField, HTMLInputElement>;
    const save = this.#form.querySelector('[data-save]');
    if (!(save instanceof HTMLButtonElement)) throw new Error('review form is missing its save button');
    this.#save = save;
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.#save.disabled) return;
      // The browser names the first missing or malformed field and moves focus to it.
      if (!this.#form.reportValidity()) return;
      options.onSave(this.values());
    });
  }

  /** Shows the form filled with `values`; fields the speech did not provide say so in their placeholder. */
  show(values: MetaValues): void {
    for (const field of META_FIELDS) {
      const input = this.#inputs[field];
      input.value = values[field];
      input.placeholder = SPEECH_FIELDS[field].kind === 'date' ? '' : NOT_FOUND;
    }
    this.setBusy(false);
    this.#form.hidden = false;
  }

  /** Hides the form and empties it. */
  hide(): void {
    this.#form.hidden = true;
    this.#form.reset();
    this.setBusy(false);
  }

  /** The current values, trimmed. */
  values(): MetaValues {
    const values = {} as MetaValues;
    for (const field of META_FIELDS) values[field] = this.#inputs[field].value.trim();
    return values;
  }

  /** While saving: the save button is disabled and says so, and the fields are read-only. */
  setBusy(busy: boolean): void {
    this.#save.disabled = busy;
    this.#save.textContent = busy ? 'Saving…' : 'Save speech';
    this.#form.setAttribute('aria-busy', String(busy));
    for (const field of META_FIELDS) this.#inputs[field].readOnly = busy;
  }

  /** True while the form is not shown. */
  isHidden(): boolean {
    return this.#form.hidden;
  }

  /** Puts focus on the first field, for review. */
  focusFirst(): void {
    this.#inputs.title.focus();
  }
}
