// Unit tests of the model check: a model that embeds meaning passes, a collapsed or confused one fails.

import { describe, expect, it } from 'vitest';
import { cosine } from '../../server/core/fusion.ts';
import { checkEmbedder, MODEL_CHECK_MARGIN, MODEL_CHECK_TRIPLES } from '../../server/core/model-check.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import { FakeEmbedder } from './fakes.ts';

// A prime dimension: no two words of the check triples share a slot of the fake, so only shared words count.
const DIMENSION = 509;

describe('checkEmbedder', () => {
  it('passes a model whose paraphrases score clearly above unrelated text, reporting each pair', async () => {
    const embedder = new FakeEmbedder({ dimension: DIMENSION });
    const report = await checkEmbedder(embedder);
    expect(report.ok).toBe(true);
    expect(report.pairs).toHaveLength(MODEL_CHECK_TRIPLES.length);
    MODEL_CHECK_TRIPLES.forEach((triple, i) => {
      const question = embedder.embedOne(triple.question);
      expect(report.pairs[i]?.paraphrase).toBeCloseTo(cosine(question, embedder.embedOne(triple.paraphrase)), 12);
      expect(report.pairs[i]?.unrelated).toBeCloseTo(cosine(question, embedder.embedOne(triple.unrelated)), 12);
      expect(report.pairs[i]?.paraphrase ?? 0).toBeGreaterThanOrEqual((report.pairs[i]?.unrelated ?? 0) + MODEL_CHECK_MARGIN);
    });
  });

  it('fails a collapsed model that maps every text to the same direction', async () => {
    // One dimension: every non-empty text embeds to [1].
    const report = await checkEmbedder(new FakeEmbedder({ dimension: 1 }));
    expect(report.ok).toBe(false);
    for (const pair of report.pairs) expect(pair).toEqual({ paraphrase: expect.closeTo(1, 12), unrelated: expect.closeTo(1, 12) });
  });

  it('fails a model that finds the unrelated passage as close as the paraphrase', async () => {
    // The fake reads each unrelated passage's words as the question's own.
    const synonyms = { bake: 'leave', bread: 'country', orchestra: 'pays', symphony: 'return', mozart: 'migrants' };
    const report = await checkEmbedder(new FakeEmbedder({ synonyms, dimension: DIMENSION }));
    expect(report.ok).toBe(false);
    expect(report.pairs.some((pair) => pair.unrelated >= pair.paraphrase)).toBe(true);
  });

  it('fails when a single triple fails', async () => {
    const synonyms = { orchestra: 'pays', symphony: 'return', mozart: 'migrants' };
    const report = await checkEmbedder(new FakeEmbedder({ synonyms, dimension: DIMENSION }));
    expect(report.pairs[0]?.paraphrase ?? 0).toBeGreaterThan((report.pairs[0]?.unrelated ?? 0) + MODEL_CHECK_MARGIN);
    expect(report.ok).toBe(false);
  });

  it('applies the margin it is given', async () => {
    const collapsed = new FakeEmbedder({ dimension: 1 });
    expect((await checkEmbedder(collapsed, { margin: 0 })).ok).toBe(true);
    expect((await checkEmbedder(new FakeEmbedder({ dimension: DIMENSION }), { margin: 2 })).ok).toBe(false);
  });

  it('embeds the questions as queries and the other passages as passages', async () => {
    const seen: Array<{ kind: string; texts: readonly string[] }> = [];
    const recording = wrapEmbedder(new FakeEmbedder({ dimension: DIMENSION }), { before: (texts, kind) => void seen.push({ kind, texts }) });
    await checkEmbedder(recording);
    expect(seen).toEqual([
      { kind: 'query', texts: MODEL_CHECK_TRIPLES.map((t) => t.question) },
      { kind: 'passage', texts: MODEL_CHECK_TRIPLES.flatMap((t) => [t.paraphrase, t.unrelated]) },
    ]);
  });
});
