// Sentence case for messages put together from parts: the first letter capitalised. Shared by the server and the
// chat window. Pure.

/** `text` with its first letter in upper case ("model …" → "Model …"); the rest as it is. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
