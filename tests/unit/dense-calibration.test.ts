// Unit tests of the dense-threshold calibration: a quantile of the off-topic probes' best cosines plus a margin,
// probe vectors reused for another corpus without the model, and an empty store.

import { describe, expect, it } from 'vitest';
import { calibrateDenseThreshold, DEFAULT_DENSE_CALIBRATION, OFF_TOPIC_PROBES } from '../../server/core/dense-calibration.ts';
import { DEFAULT_EMBEDDING_PROFILE } from '../../server/core/model-profiles.ts';
import { passageKey } from '../../server/core/retriever.ts';
import type { Embedder, VectorHit, VectorStore } from '../../server/core/types.ts';
import { FakeEmbedder, FakeVectorStore } from './fakes.ts';

/** An embedder that gives the i-th text of each batch the vector [i], counting its calls. */
function indexEmbedder(): Embedder & { queryCalls: number } {
  const embedder = {
    queryCalls: 0,
    modelId: 'index',
    dimension: 1,
    profile: DEFAULT_EMBEDDING_PROFILE,
    embedQueries: async (texts: readonly string[]) => {
      embedder.queryCalls += 1;
      return texts.map((_, i) => [i]);
    },
    embedPassages: async (texts: readonly string[]) => texts.map((_, i) => [[i]]),
  };
  return embedder;
}

/** A store whose best hit for the vector [i] scores `scoreOf(i)`; size 0 makes it empty. */
function scoringStore(scoreOf: (i: number) => number, size = 1): VectorStore {
  return {
    modelId: 'index',
    dimension: 1,
    size,
    query: async (vector): Promise<VectorHit[]> => (size === 0 ? [] : [{ key: 'k', score: scoreOf(vector[0] ?? 0) }]),
  };
}

describe('calibrateDenseThreshold', () => {
  it('sets the threshold at the chosen quantile of the probes\' best cosines plus the margin', async () => {
    expect(OFF_TOPIC_PROBES.length).toBeGreaterThanOrEqual(20);
    expect(DEFAULT_DENSE_CALIBRATION).toEqual({ margin: 0.04, quantile: 0.9 });
    // Best cosines 0.00, 0.01, … for the n probes; the q quantile is the value of nearest rank ⌈q·n⌉
    // (with 20 probes: rank 18, 0.17, and rank 10, 0.09).
    const nearestRank = (q: number): number => (Math.ceil(q * OFF_TOPIC_PROBES.length) - 1) / 100;
    const vectors = scoringStore((i) => i / 100);
    const calibration = await calibrateDenseThreshold({ embedder: indexEmbedder(), vectors });
    expect(calibration.probeQuantile).toBeCloseTo(nearestRank(0.9), 12);
    expect(calibration.threshold).toBeCloseTo(nearestRank(0.9) + 0.04, 12);
    const median = await calibrateDenseThreshold({ embedder: indexEmbedder(), vectors }, { quantile: 0.5, margin: 0.1 });
    expect(median.probeQuantile).toBeCloseTo(nearestRank(0.5), 12);
    expect(median.threshold).toBeCloseTo(nearestRank(0.5) + 0.1, 12);
  });

  it('has no floor: a model whose off-topic cosines are low gets a low threshold', async () => {
    const embedder = new FakeEmbedder();
    const texts = ['We must eradicate slavery and forced labor.', 'Migration data must be shared between States.'].map((text, i) => ({ key: passageKey('s', i + 1), text }));
    const vectors = await FakeVectorStore.build(embedder, texts);
    const { threshold, probeQuantile } = await calibrateDenseThreshold({ embedder, vectors }, { margin: 0.05 });
    expect(probeQuantile).toBeLessThan(0.4);
    expect(threshold).toBeCloseTo(probeQuantile + 0.05, 12);
  });

  it('raises the threshold above what off-topic probes reach with a model that maps everything close together', async () => {
    const vectorsOf = (texts: readonly string[]) => texts.map((_, i) => [1, (i % 5) / 50]);
    const flat: Embedder = {
      modelId: 'flat',
      dimension: 2,
      profile: DEFAULT_EMBEDDING_PROFILE,
      embedQueries: async (texts) => vectorsOf(texts),
      embedPassages: async (texts) => vectorsOf(texts).map((vector) => [vector]),
    };
    const vectors = await FakeVectorStore.build(flat, [{ key: 'k', text: 'anything' }]);
    const { threshold, probeQuantile } = await calibrateDenseThreshold({ embedder: flat, vectors }, { margin: 0.05 });
    expect(probeQuantile).toBeGreaterThan(0.99);
    expect(threshold).toBeCloseTo(probeQuantile + 0.05, 10);
  });

  it('embeds the probes as queries, once, and returns their vectors', async () => {
    const embedder = new FakeEmbedder();
    const vectors = await FakeVectorStore.build(embedder, [{ key: 'k', text: 'Migration data' }]);
    embedder.calls.length = 0;
    const { probeVectors } = await calibrateDenseThreshold({ embedder, vectors });
    expect(embedder.calls).toEqual([[...OFF_TOPIC_PROBES]]);
    expect(probeVectors).toEqual(OFF_TOPIC_PROBES.map((probe) => embedder.embedOne(probe)));
  });

  it('calibrates again for another corpus from the probe vectors, without calling the embedder', async () => {
    const embedder = indexEmbedder();
    const first = await calibrateDenseThreshold({ embedder, vectors: scoringStore((i) => i / 100) });
    expect(embedder.queryCalls).toBe(1);
    const again = await calibrateDenseThreshold({ embedder, vectors: scoringStore((i) => 0.5 + i / 100), probeVectors: first.probeVectors });
    expect(embedder.queryCalls).toBe(1);
    expect(again.probeVectors).toBe(first.probeVectors);
    expect(again.threshold).toBeCloseTo(first.threshold + 0.5, 12);
  });

  it('answers nothing by dense evidence over an empty store: threshold 1, and still hands back the probe vectors', async () => {
    const calibration = await calibrateDenseThreshold({ embedder: indexEmbedder(), vectors: scoringStore(() => 0.9, 0) });
    expect(calibration.threshold).toBe(1);
    expect(calibration.probeQuantile).toBeNaN();
    expect(calibration.probeVectors).toHaveLength(OFF_TOPIC_PROBES.length);
  });
});
