// How a quoted passage is cited in the chat window: "Title — Speaker, Event, 27 March 2018, Place, ¶ 12".

import { citationDetails } from '../server/core/citation.ts';
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
  const title = typeof speech.title === 'string' ? speech.title.trim() : '';
  return { title: title || 'Untitled speech', details: [...citationDetails(speech, { formatDate }), paragraphMark(paragraph)].join(', ') };
}
