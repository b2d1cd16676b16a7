// Calibrates the cosine at which a dense match alone may answer, per model and corpus: off-topic probe
// questions show how high an unrelated question's best cosine runs, and the threshold is set above that.

import { quantile } from './evaluation.ts';
import type { Embedder, VectorStore } from './types.ts';

/**
 * Questions on subjects no migration speech is about. They are generic on purpose (none comes from an
 * evaluation set), so the threshold reflects the model's cosine for unrelated text, not any test question.
 */
export const OFF_TOPIC_PROBES: readonly string[] = [
  'How do I bake sourdough bread at home?',
  'What is the boiling point of ethanol?',
  'How do I reset the password of my wifi router?',
  'Who composed The Four Seasons?',
  'What happens in the last act of Hamlet?',
  'How many moons does Jupiter have?',
  'How do I change a flat tyre on a bicycle?',
  'How do I teach a puppy to sit?',
  'Which programming language should a beginner learn first?',
  'What are the best chess openings for white?',
  'What is a good recipe for vegetable lasagne?',
  'How do solar panels turn light into electricity?',
  'What are the rules of poker?',
  'How do I knit a scarf?',
  'How is compound interest calculated?',
  'How do bees make honey?',
  'How do I fix a dripping kitchen tap?',
  'What is photosynthesis?',
  'Which houseplants need little light?',
  'How do I record a podcast?',
];

/** Options for {@link calibrateDenseThreshold}. */
export interface DenseCalibrationOptions {
  /** How far above the probes' typical best cosine the threshold sits. */
  margin: number;
  /** Which quantile of the probes' best cosines to clear. */
  quantile: number;
}

/** What a calibration found, with the probes' vectors to calibrate again for another corpus without the model. */
export interface DenseCalibration {
  threshold: number;
  probeQuantile: number;
  probeVectors: readonly number[][];
}

/** Defaults for {@link DenseCalibrationOptions}, measured with the default model (see README, "Retrieval"). */
export const DEFAULT_DENSE_CALIBRATION: DenseCalibrationOptions = { margin: 0.04, quantile: 0.9 };

/**
 * The dense threshold for this model and corpus: the chosen quantile of the probes' best cosines plus the margin.
 * Each model has its own range of cosines for unrelated text (0.1 for one, 0.75 for another), and a larger corpus
 * offers an off-topic question more near misses; the threshold follows both.
 */
export async function calibrateDenseThreshold(
  deps: { embedder: Embedder; vectors: VectorStore; probeVectors?: readonly number[][] },
  options: Partial<DenseCalibrationOptions> = {},
): Promise<DenseCalibration> {
  const { margin, quantile: q } = { ...DEFAULT_DENSE_CALIBRATION, ...options };
  const probeVectors = deps.probeVectors ?? (await deps.embedder.embedQueries(OFF_TOPIC_PROBES));
  if (deps.vectors.size === 0) return { threshold: 1, probeQuantile: Number.NaN, probeVectors };
  const best: number[] = [];
  for (const vector of probeVectors) {
    const [top] = await deps.vectors.query(vector, 1);
    if (top !== undefined) best.push(top.score);
  }
  const probeQuantile = quantile(best, q);
  return { threshold: probeQuantile + margin, probeQuantile, probeVectors };
}
