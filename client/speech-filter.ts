// The speech filter: which speeches (and which dates) questions search, chosen in a pop-over list of the
// speeches, shown as a clearable chip above the question box, and sent with every `ask`.

import { PROTOCOL_LIMITS, type AskFilter } from '../server/core/protocol.ts';
import { el, requirePart } from './dom.ts';
import { formatDate } from './format-date.ts';
import type { SpeechSummary } from './speech-api.ts';

const part = <T extends Element>(root: ParentNode, selector: string, kind: { new (): T; prototype: T }): T =>
  requirePart(root, selector, kind, 'speech filter');

/** The elements and callback of a {@link SpeechFilter}. */
export interface SpeechFilterOptions {
  /** The container of the `<details data-…>` filter and the chip (see index.html). */
  root: HTMLElement;
  /** The filter changed. */
  onChange?: () => void;
}

/** Lets the person restrict questions to some speeches and dates. One instance per page. */
export class SpeechFilter {
  readonly #options: SpeechFilterOptions;
  readonly #details: HTMLDetailsElement;
  readonly #summary: HTMLElement;
  readonly #toggleValue: HTMLElement;
  readonly #list: HTMLElement;
  readonly #from: HTMLInputElement;
  readonly #to: HTMLInputElement;
  readonly #dateError: HTMLElement;
  readonly #chip: HTMLElement;
  readonly #chipText: HTMLElement;
  #speeches: SpeechSummary[] = [];
  readonly #selected = new Set<string>();
  #listProblem: string | null = null;

  constructor(options: SpeechFilterOptions) {
    this.#options = options;
    const root = options.root;
    this.#details = part(root, 'details', HTMLDetailsElement);
    this.#summary = part(this.#details, 'summary', HTMLElement);
    this.#toggleValue = part(root, '[data-filter-summary]', HTMLElement);
    this.#list = part(root, '[data-filter-list]', HTMLElement);
    this.#from = part(root, '[data-filter-from]', HTMLInputElement);
    this.#to = part(root, '[data-filter-to]', HTMLInputElement);
    this.#dateError = part(root, '[data-filter-date-error]', HTMLElement);
    this.#chip = part(root, '[data-filter-chip]', HTMLElement);
    this.#chipText = part(root, '[data-filter-chip-text]', HTMLElement);

    this.#list.addEventListener('change', (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
      if (box.checked) this.#selected.add(box.value);
      else this.#selected.delete(box.value);
      this.#syncLimit();
      this.#changed();
    });
    for (const input of [this.#from, this.#to]) input.addEventListener('change', () => this.#changed());
    part(root, '[data-filter-reset]', HTMLButtonElement).addEventListener('click', () => {
      this.clear();
      this.#summary.focus();
    });
    part(root, '[data-filter-done]', HTMLButtonElement).addEventListener('click', () => this.#collapse());
    part(root, '[data-filter-chip-clear]', HTMLButtonElement).addEventListener('click', () => {
      this.clear();
      this.#summary.focus();
    });
    this.#details.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.#details.open) {
        event.preventDefault();
        this.#collapse();
      }
    });
    // Like any pop-over, a click elsewhere on the page puts it away.
    document.addEventListener('click', (event) => {
      if (this.#details.open && !this.#details.contains(event.target as Node)) this.#details.open = false;
    });
    this.#render();
  }

  /** Shows the current list of speeches; chosen speeches that no longer exist leave the filter. */
  setSpeeches(speeches: readonly SpeechSummary[]): void {
    this.#listProblem = null;
    this.#speeches = [...speeches].sort((a, b) => b.date.localeCompare(a.date) || a.title.localeCompare(b.title));
    const known = new Set(this.#speeches.map((speech) => speech.id));
    const before = this.#selected.size;
    for (const id of [...this.#selected]) if (!known.has(id)) this.#selected.delete(id);
    this.#renderList();
    if (this.#selected.size !== before) this.#changed();
  }

  /** Says in the list that the speeches could not be loaded (the filter keeps working with what it has). */
  setListProblem(message: string): void {
    this.#listProblem = message;
    this.#renderList();
  }

  /** Restricts questions to `speech` alone, adding it to the list if the list has not caught up yet. */
  only(speech: SpeechSummary): void {
    if (!this.#speeches.some((known) => known.id === speech.id)) this.setSpeeches([...this.#speeches, speech]);
    this.#selected.clear();
    this.#selected.add(speech.id);
    this.#from.value = '';
    this.#to.value = '';
    this.#renderList();
    this.#changed();
  }

  /** Removes every restriction. */
  clear(): void {
    this.#selected.clear();
    this.#from.value = '';
    this.#to.value = '';
    this.#renderList();
    this.#changed();
  }

  /** The filter to send with an `ask`: only the restrictions in force (an empty object when there are none). */
  current(): AskFilter {
    const filter: AskFilter = {};
    if (this.#selected.size > 0) filter.speechIds = this.#speeches.map((speech) => speech.id).filter((id) => this.#selected.has(id));
    const dates = this.#dates();
    if (dates.from) filter.from = dates.from;
    if (dates.to) filter.to = dates.to;
    return filter;
  }

  /** The filter in words, e.g. "Only “Closing Remarks” · from 1 January 2018", or null when there is none. */
  describe(): string | null {
    const parts: string[] = [];
    const ids = this.current().speechIds ?? [];
    if (ids.length === 1) {
      const speech = this.#speeches.find((known) => known.id === ids[0]);
      parts.push(`Only “${speech?.title || ids[0]}”`);
    } else if (ids.length > 1) {
      parts.push(`Only ${ids.length} speeches`);
    }
    const { from, to } = this.#dates();
    const range = from && to ? `${formatDate(from)} – ${formatDate(to)}` : from ? `from ${formatDate(from)}` : to ? `until ${formatDate(to)}` : '';
    if (range) parts.push(parts.length === 0 ? `Speeches given ${range}` : range);
    return parts.length === 0 ? null : parts.join(' · ');
  }

  /** The dates in force; a range whose start is after its end is ignored (and the pop-over says so). */
  #dates(): { from: string; to: string } {
    const from = this.#from.value;
    const to = this.#to.value;
    return from && to && from > to ? { from: '', to: '' } : { from, to };
  }

  #changed(): void {
    this.#render();
    this.#options.onChange?.();
  }

  #collapse(): void {
    this.#details.open = false;
    this.#summary.focus();
  }

  #render(): void {
    const description = this.describe();
    // While a filter is on, the chip says what it is; the toggle only needs to offer changing it.
    this.#toggleValue.textContent = description === null ? 'all speeches' : 'Filter';
    this.#details.toggleAttribute('data-active', description !== null);
    this.#chipText.textContent = description ?? '';
    this.#chip.hidden = description === null;
    this.#chip.title = description ?? '';
    const reversed = this.#from.value !== '' && this.#to.value !== '' && this.#from.value > this.#to.value;
    this.#dateError.hidden = !reversed;
    this.#dateError.textContent = reversed ? '“From” is after “To”: the dates are ignored until this is fixed.' : '';
    this.#to.min = this.#from.value;
    this.#from.max = this.#to.value;
  }

  #renderList(): void {
    if (this.#speeches.length === 0) {
      this.#list.replaceChildren(el('li', { className: 'filter-empty', text: this.#listProblem ?? 'Loading the speeches…' }));
      return;
    }
    const items = this.#speeches.map((speech) => {
      const box = el('input', { attrs: { type: 'checkbox', value: speech.id } });
      box.checked = this.#selected.has(speech.id);
      const details = [speech.speaker, formatDate(speech.date)].filter(Boolean).join(' · ');
      return el('li', {
        children: [
          el('label', {
            className: 'filter-option',
            children: [
              box,
              el('span', {
                className: 'filter-option-text',
                children: [
                  el('span', { className: 'filter-option-title', text: speech.title || speech.id }),
                  details ? el('span', { className: 'filter-option-details', text: details }) : null,
                ],
              }),
            ],
          }),
        ],
      });
    });
    if (this.#listProblem) items.push(el('li', { className: 'filter-empty', text: this.#listProblem }));
    this.#list.replaceChildren(...items);
    this.#syncLimit();
  }

  /** A question can name at most so many speeches; past that, the unticked boxes are disabled. */
  #syncLimit(): void {
    const full = this.#selected.size >= PROTOCOL_LIMITS.maxSpeechIds;
    for (const box of this.#list.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) box.disabled = full && !box.checked;
  }
}

