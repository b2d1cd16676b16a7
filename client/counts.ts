// Counts in words in the chat window: "1 speech", "1,204 paragraphs" (the rule itself is the core's).

import { plural } from '../server/core/counts.ts';

export { plural };

/** "1 paragraph", "31 paragraphs". */
export function paragraphCount(count: number): string {
  return plural(count, 'paragraph', 'paragraphs');
}
