// Retrieval evaluation: reading question files, judging each answer, and the figures (recall@k, MRR,
// no-answer precision and recall, highlight accuracy, latency). Pure arithmetic over outcomes.

import { AppError } from './errors.ts';
import type { AnswerPassage } from './protocol.ts';
import { containsQuote } from './quote-match.ts';

/** One evaluation question, in the format of `dev-questions.json`. */
export interface EvalQuestion {
  id: string;
  kind: string;
  /** The speech that answers it, when known. */
  speech: string | null;
  question: string;
  /** A quote the answering passage contains; null for unanswerable questions. */
  answer_quote: string | null;
}

/**
 * Checks a parsed question file.
 * @throws AppError `bad_request` naming the entry and field at fault.
 */
export function parseEvalQuestions(value: unknown, where: string): EvalQuestion[] {
  if (!Array.isArray(value)) throw new AppError('bad_request', `${where}: expected a JSON array of questions`);
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const at = `${where}[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new AppError('bad_request', `${at}: expected an object`);
    const record = entry as Record<string, unknown>;
    for (const key of ['id', 'kind', 'question'] as const) {
      if (typeof record[key] !== 'string' || record[key] === '') throw new AppError('bad_request', `${at}: "${key}" must be a non-empty string`);
    }
    for (const key of ['speech', 'answer_quote'] as const) {
      if (record[key] !== undefined && record[key] !== null && typeof record[key] !== 'string') {
        throw new AppError('bad_request', `${at}: "${key}" must be a string or null`);
      }
    }
    const id = record.id as string;
    if (seen.has(id)) throw new AppError('bad_request', `${at}: duplicate id "${id}"`);
    seen.add(id);
    return {
      id,
      kind: record.kind as string,
      speech: (record.speech as string | null | undefined) ?? null,
      question: record.question as string,
      answer_quote: (record.answer_quote as string | null | undefined) ?? null,
    };
  });
}

/** How one question fared. */
export interface EvalOutcome {
  id: string;
  kind: string;
  answerable: boolean;
  /** The system answered "nothing relevant". */
  refused: boolean;
  /** 1-based rank of the first returned passage containing the quote; null when none does. */
  rank: number | null;
  /** Rank of the first such passage in the full ranking, before the relevance gate and cut-off. */
  rankBeforeCutoff: number | null;
  /** Whether the highlighted sentences of the answering passage contain the quote; null when it was not returned. */
  highlightHit: boolean | null;
  /** Time to answer, in milliseconds. */
  ms: number;
}

/** Judges one answer against its question. `rankedTexts` is the full ranking's passage texts, best first. */
export function judgeAnswer(
  question: EvalQuestion,
  answer: { noAnswer: boolean; passages: readonly AnswerPassage[] },
  options: { rankedTexts: readonly string[]; ms: number },
): EvalOutcome {
  const quote = question.answer_quote;
  const index = quote === null ? -1 : answer.passages.findIndex((p) => containsQuote(p.text, quote));
  const fullIndex = quote === null ? -1 : options.rankedTexts.findIndex((text) => containsQuote(text, quote));
  const hit = index >= 0 ? answer.passages[index] : undefined;
  const highlighted = hit === undefined ? '' : hit.highlights.map(([start, end]) => hit.text.slice(start, end)).join(' ');
  return {
    id: question.id,
    kind: question.kind,
    answerable: quote !== null,
    refused: answer.noAnswer,
    rank: index >= 0 ? index + 1 : null,
    rankBeforeCutoff: fullIndex >= 0 ? fullIndex + 1 : null,
    highlightHit: hit === undefined || quote === null ? null : containsQuote(highlighted, quote),
    ms: options.ms,
  };
}

/** Ranking figures over a set of answerable questions. */
export interface RankingFigures {
  questions: number;
  /** Share of questions whose quote is in the top k, keyed by k. */
  recall: Record<number, number>;
  /** Mean reciprocal rank of the quote (0 for a miss). */
  mrr: number;
}

/** All figures of one run. */
export interface EvalReport {
  overall: RankingFigures;
  byKind: Record<string, RankingFigures>;
  noAnswer: {
    /** Of the refused questions, the share that were unanswerable (1 when nothing was refused). */
    precision: number;
    /** Of the unanswerable questions, the share refused (1 when there were none). */
    recall: number;
    unanswerable: number;
    /** Answerable questions wrongly refused. */
    wronglyRefused: number;
  };
  /** Of answering passages that were returned, the share whose highlights contain the quote. */
  highlightAccuracy: number | null;
  latencyMs: { median: number; p95: number };
  /** Answerable questions whose quote was not returned, and unanswerable ones that were answered. */
  misses: Array<{ id: string; kind: string; answerable: boolean; refused: boolean; rankBeforeCutoff: number | null }>;
}

/** The value at quantile `q` (nearest rank) of `values`; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function rankingFigures(outcomes: readonly EvalOutcome[], ks: readonly number[]): RankingFigures {
  const answerable = outcomes.filter((o) => o.answerable);
  const n = answerable.length;
  const recall: Record<number, number> = {};
  for (const k of ks) recall[k] = n === 0 ? 0 : answerable.filter((o) => o.rank !== null && o.rank <= k).length / n;
  const mrr = n === 0 ? 0 : answerable.reduce((sum, o) => sum + (o.rank === null ? 0 : 1 / o.rank), 0) / n;
  return { questions: n, recall, mrr };
}

/** Computes every figure of a run from its outcomes. */
export function summariseOutcomes(outcomes: readonly EvalOutcome[], options: { ks: readonly number[] }): EvalReport {
  const kinds = [...new Set(outcomes.filter((o) => o.answerable).map((o) => o.kind))].sort();
  const byKind: Record<string, RankingFigures> = {};
  for (const kind of kinds) byKind[kind] = rankingFigures(outcomes.filter((o) => o.kind === kind), options.ks);
  const refused = outcomes.filter((o) => o.refused);
  const unanswerable = outcomes.filter((o) => !o.answerable);
  const judged = outcomes.filter((o) => o.highlightHit !== null);
  return {
    overall: rankingFigures(outcomes, options.ks),
    byKind,
    noAnswer: {
      precision: refused.length === 0 ? 1 : refused.filter((o) => !o.answerable).length / refused.length,
      recall: unanswerable.length === 0 ? 1 : unanswerable.filter((o) => o.refused).length / unanswerable.length,
      unanswerable: unanswerable.length,
      wronglyRefused: outcomes.filter((o) => o.answerable && o.refused).length,
    },
    highlightAccuracy: judged.length === 0 ? null : judged.filter((o) => o.highlightHit).length / judged.length,
    latencyMs: { median: quantile(outcomes.map((o) => o.ms), 0.5), p95: quantile(outcomes.map((o) => o.ms), 0.95) },
    misses: outcomes
      .filter((o) => (o.answerable ? o.rank === null : !o.refused))
      .map(({ id, kind, answerable, refused: wasRefused, rankBeforeCutoff }) => ({ id, kind, answerable, refused: wasRefused, rankBeforeCutoff })),
  };
}
