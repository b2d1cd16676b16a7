// Counts in words, for people: "1 speech", "1,204 paragraphs". Shared by the command line and the chat window. Pure.

/** `count` with the singular or plural noun, digits grouped. */
export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}
