// Counts in words: "1 speech", "1,204 paragraphs".

/** `count` with the singular or plural noun, digits grouped. */
export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

/** "1 paragraph", "31 paragraphs". */
export function paragraphCount(count: number): string {
  return plural(count, 'paragraph', 'paragraphs');
}
