// How a quoted passage is cited: "Title — Speaker, Event, 27 March 2018, Place, ¶ 12".

import type { CitedSpeech } from '../server/core/protocol.ts';
import { formatDate } from './format-date.ts';

/** A citation split into its title and the details after the dash. */
export interface Citation {
  title: string;
  /** "Speaker, Event, 27 March 2018, Place, ¶ 12", skipping empty parts. */
  details: string;
}

/** The "¶ 12" paragraph mark; a no-break space keeps the sign with its number. */
export function paragraphMark(paragraph: number): string {
  return `¶\u00a0${paragraph}`;
}

/** Builds the citation of paragraph `paragraph` of `speech`; tolerates missing fields from the network. */
export function formatCitation(speech: Partial<CitedSpeech>, paragraph: number): Citation {
  const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
  const parts = [text(speech.speaker), text(speech.event), formatDate(text(speech.date)), text(speech.place)];
  const details = [...parts.filter((part) => part.length > 0), paragraphMark(paragraph)].join(', ');
  return { title: text(speech.title) || 'Untitled speech', details };
}
