// Unit tests of the relevance gate: whether a question is answered in each mode, the penalty for unknown names,
// and which candidates follow the best one (coverage, cosine, the "no shared word" rule, topic coverage).

import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRIEVAL_OPTIONS, isRelevantAnswer, selectRelevant, type Candidate, type GateContext } from '../../server/core/relevance.ts';
import type { RetrievalMode } from '../../server/core/types.ts';

// The defaults the arithmetic below is written for.
const OPTIONS = {
  ...DEFAULT_RETRIEVAL_OPTIONS,
  minLexicalCoverage: 0.25,
  minDenseScore: 0.45,
  minHybridCoverage: 0.5,
  unknownNamePenalty: 0.1,
  minPassageCoverage: 0.15,
  minRelativeCoverage: 0.4,
  denseFollowerMargin: 0.05,
  denseFollowerGap: 0.05,
};

/** A candidate with the given evidence; topic coverage defaults to the coverage, the cosine to none. */
function candidate(key: string, evidence: { coverage?: number; topicCoverage?: number; cosine?: number | null }): Candidate {
  const coverage = evidence.coverage ?? 0;
  return {
    passage: { key, speechId: 's', paragraph: 1, text: key },
    score: 0.5,
    coverage,
    topicCoverage: evidence.topicCoverage ?? coverage,
    cosine: evidence.cosine ?? null,
    rerank: null,
  };
}

const gate = (mode: RetrievalMode, unknownNames: string[] = []): GateContext => ({ mode, options: OPTIONS, unknownNames });
const answered = (mode: RetrievalMode, evidence: Parameters<typeof candidate>[1], unknownNames: string[] = []): boolean =>
  isRelevantAnswer([candidate('a', evidence)], gate(mode, unknownNames));
const keys = (chosen: readonly Candidate[]): string[] => chosen.map((c) => c.passage.key);

describe('isRelevantAnswer', () => {
  it('answers nothing without candidates', () => {
    for (const mode of ['lexical', 'dense', 'hybrid'] as const) expect(isRelevantAnswer([], gate(mode))).toBe(false);
  });

  it('lexical: answers on coverage alone, whatever the cosine', () => {
    expect(answered('lexical', { coverage: 0.25 })).toBe(true);
    expect(answered('lexical', { coverage: 0.24 })).toBe(false);
    expect(answered('lexical', { coverage: 0.1, cosine: 0.99 })).toBe(false);
  });

  it('lexical: answers nothing when the question names something no speech mentions', () => {
    expect(answered('lexical', { coverage: 1 }, ['Mongolia'])).toBe(false);
  });

  it('dense: answers on the cosine alone, whatever the coverage', () => {
    expect(answered('dense', { cosine: 0.45 })).toBe(true);
    expect(answered('dense', { cosine: 0.44, coverage: 1 })).toBe(false);
    expect(answered('dense', { coverage: 1 })).toBe(false);
  });

  it('takes the penalty off the cosine once for each unknown name', () => {
    expect(answered('dense', { cosine: 0.56 }, ['Mongolia'])).toBe(true);
    expect(answered('dense', { cosine: 0.54 }, ['Mongolia'])).toBe(false);
    expect(answered('dense', { cosine: 0.64 }, ['Mongolia', '2031'])).toBe(false);
    expect(answered('hybrid', { cosine: 0.54, coverage: 0.4 }, ['Mongolia'])).toBe(false);
  });

  it('hybrid: answers on the cosine, or on half the question\'s words without a cosine', () => {
    expect(answered('hybrid', { cosine: 0.45 })).toBe(true);
    expect(answered('hybrid', { coverage: 0.5 })).toBe(true);
    expect(answered('hybrid', { coverage: 0.49, cosine: 0.44 })).toBe(false);
  });

  it('hybrid: closes the lexical route when a name is unknown, leaving the penalised cosine', () => {
    expect(answered('hybrid', { coverage: 1 }, ['Mongolia'])).toBe(false);
    expect(answered('hybrid', { coverage: 1, cosine: 0.7 }, ['Mongolia'])).toBe(true);
  });

  it('is true when any candidate answers, not only the first', () => {
    expect(isRelevantAnswer([candidate('a', { coverage: 0.1 }), candidate('b', { coverage: 0.3 })], gate('lexical'))).toBe(true);
  });
});

describe('selectRelevant', () => {
  it('returns [] when nothing answers', () => {
    expect(selectRelevant([candidate('a', { coverage: 0.2 }), candidate('b', { coverage: 0.1 })], gate('lexical'))).toEqual([]);
    expect(selectRelevant([], gate('hybrid'))).toEqual([]);
  });

  it('leads with the first candidate that answers, dropping a better-ranked one that does not follow', () => {
    const chosen = selectRelevant([candidate('weak', { coverage: 0.1 }), candidate('lead', { coverage: 0.3 })], gate('lexical'));
    expect(keys(chosen)).toEqual(['lead']);
  });

  it('lexical: keeps followers holding enough of the topic, relative to the best and absolutely', () => {
    // Floor: max(0.15, 0.4 × best topic coverage 1) = 0.4.
    const chosen = selectRelevant(
      [candidate('lead', { coverage: 1 }), candidate('close', { coverage: 0.4 }), candidate('far', { coverage: 0.39 })],
      gate('lexical'),
    );
    expect(keys(chosen)).toEqual(['lead', 'close']);
    // Floor: max(0.15, 0.4 × 0.3) = 0.15.
    const low = selectRelevant(
      [candidate('lead', { coverage: 0.3 }), candidate('close', { coverage: 0.15 }), candidate('far', { coverage: 0.14 })],
      gate('lexical'),
    );
    expect(keys(low)).toEqual(['lead', 'close']);
  });

  it('lexical: judges followers by topic coverage, so a passage with only the speaker\'s title is not quoted', () => {
    const chosen = selectRelevant(
      [
        candidate('lead', { coverage: 1, topicCoverage: 1 }),
        candidate('title only', { coverage: 0.5, topicCoverage: 0 }),
        candidate('on topic', { coverage: 0.5, topicCoverage: 0.5 }),
      ],
      gate('lexical'),
    );
    expect(keys(chosen)).toEqual(['lead', 'on topic']);
  });

  it('dense: keeps followers near the threshold and near the best cosine', () => {
    // Floor: max(0.45 − 0.05, 0.6 − 0.05) = 0.55.
    const near = [candidate('lead', { cosine: 0.6 }), candidate('close', { cosine: 0.55 }), candidate('far', { cosine: 0.54, coverage: 1 })];
    expect(keys(selectRelevant(near, gate('dense')))).toEqual(['lead', 'close']);
    // Floor: max(0.40, 0.45 − 0.05) = 0.40, a little below the threshold.
    const low = [candidate('lead', { cosine: 0.45 }), candidate('close', { cosine: 0.4 }), candidate('far', { cosine: 0.39 })];
    expect(keys(selectRelevant(low, gate('dense')))).toEqual(['lead', 'close']);
  });

  it('dense: penalises followers for unknown names like the lead', () => {
    // Evidence 0.6 and 0.45 (floor max(0.40, 0.55)): only the lead stays.
    const chosen = selectRelevant([candidate('lead', { cosine: 0.7 }), candidate('next', { cosine: 0.55 })], gate('dense', ['Mongolia']));
    expect(keys(chosen)).toEqual(['lead']);
    expect(keys(selectRelevant([candidate('lead', { cosine: 0.7 }), candidate('next', { cosine: 0.65 })], gate('dense', ['Mongolia'])))).toEqual(['lead', 'next']);
  });

  it('hybrid: does not quote a passage on its cosine alone when it shares no word with the topic', () => {
    const chosen = selectRelevant(
      [
        candidate('lead', { cosine: 0.7, coverage: 0.6 }),
        candidate('general', { cosine: 0.69, coverage: 0 }),
        candidate('title only', { cosine: 0.69, coverage: 0.6, topicCoverage: 0 }),
        candidate('one word', { cosine: 0.66, coverage: 0.05 }),
      ],
      gate('hybrid'),
    );
    expect(keys(chosen)).toEqual(['lead', 'one word']);
  });

  it('hybrid: keeps a follower with enough of the topic when its cosine is near the threshold', () => {
    // Dense floor 0.75; coverage floor max(0.15, 0.4 × 1) = 0.4; near the threshold: 0.40.
    const chosen = selectRelevant(
      [
        candidate('lead', { cosine: 0.8, coverage: 1 }),
        candidate('wordy', { cosine: 0.42, coverage: 0.8 }),
        candidate('too far', { cosine: 0.39, coverage: 0.8 }),
        candidate('few words', { cosine: 0.6, coverage: 0.3 }),
        candidate('keyword only', { coverage: 1 }),
      ],
      gate('hybrid'),
    );
    expect(keys(chosen)).toEqual(['lead', 'wordy']);
  });

  it('hybrid: a lead that answers on its words alone still needs followers backed by the model', () => {
    const chosen = selectRelevant(
      [candidate('lead', { coverage: 1 }), candidate('backed', { coverage: 1, cosine: 0.41 }), candidate('unbacked', { coverage: 1, cosine: 0.3 })],
      gate('hybrid'),
    );
    expect(keys(chosen)).toEqual(['lead', 'backed']);
  });

  it('keeps the candidates in the order given', () => {
    const chosen = selectRelevant([candidate('lead', { coverage: 0.9 }), candidate('b', { coverage: 0.5 }), candidate('c', { coverage: 0.8 })], gate('lexical'));
    expect(keys(chosen)).toEqual(['lead', 'b', 'c']);
  });
});
