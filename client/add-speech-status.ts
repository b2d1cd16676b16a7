// What the add panel's status line says about the speech being added: where it comes from (a file, a web address)
// and, once read, what was found in it and which required fields the person must still fill in.

import type { AddSpeechReply } from '../server/core/http-api.ts';
import { SPEECH_FIELDS } from '../server/core/speech-meta.ts';
import { paragraphCount } from './counts.ts';
import type { SpeechOrigin } from './speech-admin-api.ts';
import { formatBytes, formatKind, speechFileKind } from './speech-file.ts';

/** “speech.pdf” (PDF, 120 KB), or “https://…” (web page) once the format of the address is known. */
export function originLabel(origin: SpeechOrigin, format?: string): string {
  if ('url' in origin) {
    const kind = format === undefined ? null : formatKind(format);
    return `“${origin.url}”${kind === null ? '' : ` (${kind})`}`;
  }
  return `“${origin.file.name}” (${speechFileKind(origin.file) ?? 'file'}, ${formatBytes(origin.file.size)})`;
}

/** What the person must still fill in, and why: not found in the speech, or found in a line that could not be read. */
function missingNote(result: AddSpeechReply): string {
  const missing = result.missing ?? [];
  if (missing.length === 0) return '';
  const reasons = missing.map((field) => {
    const written = result.unreadable?.[field];
    return written === undefined ? `the ${field}: not found in the speech` : `the ${field}: the speech's “${SPEECH_FIELDS[field].label}:” line says “${written}”`;
  });
  return ` Please fill in ${reasons.join('; ')}.`;
}

/** “speech.pdf” (PDF, 120 KB): 30 paragraphs found. Please fill in the date: not found in the speech. */
export function foundNote(origin: SpeechOrigin, result: AddSpeechReply): string {
  return `${originLabel(origin, result.format)}: ${paragraphCount(result.speech.paragraphs)} found.${missingNote(result)}`;
}
