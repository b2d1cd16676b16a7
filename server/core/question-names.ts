// The names a question uses (runs of capitalised words, acronyms, numbers) and what they say about the corpus:
// names no speech mentions ("Mongolia", "2023") cannot be answered from it, and names of a speech's speaker
// ("the Director General", "Amy Pope") say whose words are wanted rather than what about. Pure.

import { termOf, wordTokens, type WordToken } from './terms.ts';
import type { Speech, SynonymLookup } from './types.ts';

/** A name as written in the question, with its folded words and their index terms. */
export interface QuestionName {
  text: string;
  words: Array<{ word: string; term: string }>;
}

/** The speakers a question names: the names as written, their terms (not the topic) and the speeches they gave. */
export interface NamedSpeakers {
  names: readonly string[];
  terms: ReadonlySet<string>;
  speechIds: ReadonlySet<string>;
}

// Small words that may sit inside a name: "Global Forum on Migration and Development".
const CONNECTORS = new Set(['of', 'on', 'and', 'the', 'for', 'de', 'la', 'du', 'del']);

/** The names of a question: runs of capitalised words after the first word, acronyms and numbers. */
export function questionNames(question: string): QuestionName[] {
  const runs: WordToken[][] = [];
  let run: WordToken[] = [];
  wordTokens(question).forEach((token, index) => {
    const original = question.slice(token.start, token.end);
    if (isNameLike(original, index) || (run.length > 0 && CONNECTORS.has(token.word))) {
      run.push(token);
      return;
    }
    if (run.length > 0) runs.push(run);
    run = [];
  });
  if (run.length > 0) runs.push(run);
  return runs
    .map((tokens) => {
      let end = tokens.length;
      while (end > 0 && CONNECTORS.has(tokens[end - 1]?.word ?? '')) end -= 1;
      return tokens.slice(0, end);
    })
    .filter((tokens) => tokens.length > 0)
    .map((tokens) => ({
      text: question.slice(tokens[0]?.start ?? 0, tokens[tokens.length - 1]?.end ?? 0),
      words: tokens.flatMap((token) => {
        const term = CONNECTORS.has(token.word) ? null : termOf(token.word);
        return term === null ? [] : [{ word: token.word, term }];
      }),
    }))
    .filter((name) => name.words.length > 0);
}

/** A capitalised word after the first, an acronym, or a number. */
function isNameLike(original: string, index: number): boolean {
  if (/\p{N}/u.test(original) || /^\p{Lu}{2,}/u.test(original)) return true;
  return index > 0 && /^\p{Lu}/u.test(original);
}

/** The terms of each speech's metadata, kept while the metadata object lives: a corpus is re-indexed often. */
const termsOfMeta = new WeakMap<Speech['meta'], { speaker: string[]; other: string[] }>();

/** A speech's speaker and role terms, and the terms of its title, event, place and year. */
function metadataTermsOf(meta: Speech['meta']): { speaker: string[]; other: string[] } {
  let terms = termsOfMeta.get(meta);
  if (terms === undefined) {
    const termsIn = (text: string): string[] => [...new Set(wordTokens(text).flatMap(({ word }) => termOf(word) ?? []))];
    terms = { speaker: termsIn(`${meta.speaker} ${meta.role}`), other: termsIn(`${meta.title} ${meta.event} ${meta.place} ${meta.date.slice(0, 4)}`) };
    termsOfMeta.set(meta, terms);
  }
  return terms;
}

/**
 * Works out (and keeps) the metadata terms of `metas` ahead of the first question, which would otherwise pay for all
 * of them at once (about 0.1 s at 3,000 speeches). Callers run it a slice at a time, off the question path.
 */
export function prepareMetadataTerms(metas: ReadonlyArray<Speech['meta']>): void {
  for (const meta of metas) metadataTermsOf(meta);
}

/** What the corpus knows of names: every term it holds, and who gave each speech. */
export class NameIndex {
  readonly #knows: (term: string) => boolean;
  readonly #synonyms: SynonymLookup | null;
  /** Speaker and role terms, each with the speeches given by such a speaker. */
  readonly #speakers = new Map<string, Set<string>>();

  /** `knows` tells whether a term occurs in the corpus text; metadata is added here. */
  constructor(deps: { speeches: readonly Speech[]; knows: (term: string) => boolean; synonyms?: SynonymLookup | null }) {
    this.#synonyms = deps.synonyms ?? null;
    const metadataTerms = new Set<string>();
    for (const { meta } of deps.speeches) {
      const { speaker, other } = metadataTermsOf(meta);
      for (const term of speaker) {
        const ids = this.#speakers.get(term) ?? new Set<string>();
        ids.add(meta.id);
        this.#speakers.set(term, ids);
      }
      for (const term of other) metadataTerms.add(term);
    }
    this.#knows = (term) => deps.knows(term) || metadataTerms.has(term) || this.#speakers.has(term);
  }

  /** The names of `names` of which some word is found neither in the corpus nor through a one-word synonym. */
  unknown(names: readonly QuestionName[]): string[] {
    return names.filter((name) => name.words.some((word) => !this.#isKnown(word))).map((name) => name.text);
  }

  /** The speakers `names` refer to: names every term of which belongs to the speaker or role of some speech. */
  speakers(names: readonly QuestionName[]): NamedSpeakers | null {
    const terms = new Set<string>();
    const named: string[] = [];
    let speechIds: Set<string> | null = null;
    for (const name of names) {
      const sets = name.words.map(({ term }) => this.#speakers.get(term));
      if (sets.some((ids) => ids === undefined)) continue;
      for (const ids of sets as Array<Set<string>>) speechIds = new Set([...(speechIds ?? ids)].filter((id) => ids.has(id)));
      for (const { term } of name.words) terms.add(term);
      named.push(name.text);
    }
    return speechIds === null || speechIds.size === 0 ? null : { names: named, terms, speechIds };
  }

  #isKnown({ word, term }: { word: string; term: string }): boolean {
    if (this.#knows(term)) return true;
    return (this.#synonyms?.(word) ?? []).some((synonym) => {
      if (/\s/.test(synonym)) return false;
      const synonymTerm = termOf(synonym);
      return synonymTerm !== null && this.#knows(synonymTerm);
    });
  }
}
