// What a citation of a quoted passage names, and in which order: the speaker, the event, the date and the place,
// never an empty one. Shared by the chat window, its copies and exports, and the terminal. Pure.

import type { CitedSpeech } from './protocol.ts';

/**
 * The details of a citation after its title, in order, skipping empty ones: speaker, event, date (as
 * `formatDate` writes it), place. Tolerates missing fields from the network.
 */
export function citationDetails(speech: Partial<CitedSpeech>, options: { formatDate: (iso: string) => string }): string[] {
  const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
  const date = text(speech.date);
  return [text(speech.speaker), text(speech.event), date === '' ? '' : options.formatDate(date), text(speech.place)].filter((part) => part !== '');
}
