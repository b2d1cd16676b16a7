// Unit tests of the evaluation arithmetic: judging answers, recall@k, MRR, no-answer figures, highlights, latency.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { judgeAnswer, parseEvalQuestions, quantile, summariseOutcomes, type EvalOutcome, type EvalQuestion } from '../../server/core/evaluation.ts';
import type { AnswerPassage } from '../../server/core/protocol.ts';

const SPEECH = { id: 's', title: 'T', speaker: 'S', date: '2018-01-01', event: 'E', place: 'P' };

function passage(text: string, highlights: Array<[number, number]> = []): AnswerPassage {
  return { rank: 1, score: 1, text, highlights, paragraph: 1, speech: SPEECH };
}

const QUESTION: EvalQuestion = { id: 'q1', kind: 'keyword', speech: 's', question: '?', answer_quote: 'Forced  labour – is being addressed' };

describe('judgeAnswer', () => {
  it('finds the quote after folding whitespace, case, quotes and dashes, and reports its rank', () => {
    const text = 'Other text. “Forced labour” - is being addressed now.';
    const quoted = { ...QUESTION, answer_quote: '"forced  LABOUR" – is being addressed' };
    const outcome = judgeAnswer(quoted, { noAnswer: false, passages: [passage('nothing here'), passage(text, [[12, 50]])] }, { rankedTexts: ['x', 'nothing here', text], ms: 5 });
    expect(outcome).toEqual({ id: 'q1', kind: 'keyword', answerable: true, refused: false, rank: 2, rankBeforeCutoff: 3, highlightHit: true, ms: 5 });
  });

  it('marks a highlight miss when the highlighted sentence is another one', () => {
    const text = 'Forced labour – is being addressed. Something else entirely.';
    const outcome = judgeAnswer(QUESTION, { noAnswer: false, passages: [passage(text, [[36, 60]])] }, { rankedTexts: [text], ms: 1 });
    expect(outcome.highlightHit).toBe(false);
  });

  it('reports a refusal with no rank, and the rank the passage had before the cut-off', () => {
    const outcome = judgeAnswer(QUESTION, { noAnswer: true, passages: [] }, { rankedTexts: ['a', 'b', 'forced labour - is being addressed'], ms: 1 });
    expect(outcome).toMatchObject({ refused: true, rank: null, rankBeforeCutoff: 3, highlightHit: null });
  });

  it('treats a question without a quote as unanswerable', () => {
    const outcome = judgeAnswer({ ...QUESTION, kind: 'unanswerable', answer_quote: null }, { noAnswer: true, passages: [] }, { rankedTexts: [], ms: 1 });
    expect(outcome).toMatchObject({ answerable: false, refused: true, rank: null, highlightHit: null });
  });
});

function outcome(fields: Partial<EvalOutcome> & Pick<EvalOutcome, 'id'>): EvalOutcome {
  return { kind: 'keyword', answerable: true, refused: false, rank: null, rankBeforeCutoff: null, highlightHit: null, ms: 1, ...fields };
}

describe('summariseOutcomes', () => {
  // Hand-computed: keyword ranks 1, 3, miss (refused); paraphrase ranks 2, 5; two unanswerable, one refused.
  const outcomes = [
    outcome({ id: 'k1', rank: 1, highlightHit: true, ms: 1 }),
    outcome({ id: 'k2', rank: 3, highlightHit: false, ms: 2 }),
    outcome({ id: 'k3', refused: true, rankBeforeCutoff: 4, ms: 3 }),
    outcome({ id: 'p1', kind: 'paraphrase', rank: 2, highlightHit: true, ms: 4 }),
    outcome({ id: 'p2', kind: 'paraphrase', rank: 5, highlightHit: true, ms: 5 }),
    outcome({ id: 'u1', kind: 'unanswerable', answerable: false, refused: true, ms: 6 }),
    outcome({ id: 'u2', kind: 'unanswerable', answerable: false, refused: false, ms: 100 }),
  ];
  const report = summariseOutcomes(outcomes, { ks: [1, 3, 5] });

  it('computes recall@k and MRR per kind and overall', () => {
    expect(report.byKind.keyword).toEqual({ questions: 3, recall: { 1: 1 / 3, 3: 2 / 3, 5: 2 / 3 }, mrr: (1 + 1 / 3 + 0) / 3 });
    expect(report.byKind.paraphrase).toEqual({ questions: 2, recall: { 1: 0, 3: 0.5, 5: 1 }, mrr: (1 / 2 + 1 / 5) / 2 });
    expect(report.overall.questions).toBe(5);
    expect(report.overall.recall).toEqual({ 1: 1 / 5, 3: 3 / 5, 5: 4 / 5 });
    expect(report.overall.mrr).toBeCloseTo((1 + 1 / 3 + 0 + 1 / 2 + 1 / 5) / 5, 12);
    expect(report.byKind.unanswerable).toBeUndefined();
  });

  it('computes no-answer precision and recall', () => {
    // Refused: k3 (answerable) and u1 (unanswerable) → precision 1/2; unanswerable refused: u1 of u1, u2 → recall 1/2.
    expect(report.noAnswer).toEqual({ precision: 0.5, recall: 0.5, unanswerable: 2, wronglyRefused: 1 });
  });

  it('computes highlight accuracy over the answering passages returned', () => {
    expect(report.highlightAccuracy).toBe(3 / 4);
  });

  it('computes the median and p95 time per question by nearest rank', () => {
    expect(report.latencyMs).toEqual({ median: 4, p95: 100 });
  });

  it('lists the misses with the rank the right passage had, and the unanswerable questions answered', () => {
    expect(report.misses).toEqual([
      { id: 'k3', kind: 'keyword', answerable: true, refused: true, rankBeforeCutoff: 4 },
      { id: 'u2', kind: 'unanswerable', answerable: false, refused: false, rankBeforeCutoff: null },
    ]);
  });

  it('gives perfect no-answer figures when nothing was refused and nothing was unanswerable', () => {
    expect(summariseOutcomes([outcome({ id: 'a', rank: 1 })], { ks: [1] }).noAnswer).toEqual({ precision: 1, recall: 1, unanswerable: 0, wronglyRefused: 0 });
  });
});

describe('quantile', () => {
  it('takes the nearest rank', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0.95)).toBe(19);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });
});

describe('parseEvalQuestions', () => {
  it('accepts the dev-set format', () => {
    expect(parseEvalQuestions([{ id: 'd1', kind: 'keyword', speech: null, question: 'q?', answer_quote: 'a' }], 'f')).toHaveLength(1);
  });

  it.each([
    [{}, 'not an array'],
    [[{ kind: 'k', question: 'q' }], '"id"'],
    [[{ id: 'a', kind: 'k', question: 'q', answer_quote: 3 }], '"answer_quote"'],
    [[{ id: 'a', kind: 'k', question: 'q' }, { id: 'a', kind: 'k', question: 'q' }], 'duplicate id'],
  ])('rejects %j naming the problem', (value, problem) => {
    try {
      parseEvalQuestions(value, 'file.json');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      if (problem !== 'not an array') expect((error as AppError).message).toContain(problem);
    }
  });
});
