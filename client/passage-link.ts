// Permalinks to a paragraph of a speech: `/speeches/<id>#p12`, an address that opens the speech viewer there on a
// fresh load, and reading one back from the page's location.

import { isSpeechId } from '../server/core/speech-meta.ts';

/** A paragraph of a speech, as a permalink names it. */
export interface PassageAddress {
  speechId: string;
  paragraph: number;
}

const SPEECH_PATH = /^\/speeches\/([^/]+)\/?$/;
const PARAGRAPH_HASH = /^#p([1-9]\d{0,5})$/;

/** `/speeches/<id>#p12`; the paragraph is left out when it is not a positive number. */
export function passagePath(address: PassageAddress): string {
  const hash = Number.isInteger(address.paragraph) && address.paragraph > 0 ? `#p${address.paragraph}` : '';
  return `/speeches/${encodeURIComponent(address.speechId)}${hash}`;
}

/** The permalink as a full address on the page's own origin, to copy or export. */
export function passageUrl(address: PassageAddress, origin: string = window.location.origin): string {
  return `${origin}${passagePath(address)}`;
}

/** The paragraph a location names (`/speeches/<id>#p12`, or `#p…` left out: the first), or null for any other page. */
export function passageAt(location: Pick<Location, 'pathname' | 'hash'>): PassageAddress | null {
  const match = SPEECH_PATH.exec(location.pathname);
  if (match === null) return null;
  let speechId: string;
  try {
    speechId = decodeURIComponent(match[1] ?? '');
  } catch {
    return null;
  }
  if (!isSpeechId(speechId)) return null;
  const paragraph = Number(PARAGRAPH_HASH.exec(location.hash)?.[1] ?? 0);
  return { speechId, paragraph };
}
