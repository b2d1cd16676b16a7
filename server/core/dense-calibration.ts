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
  /** The configured threshold; calibration never goes below it. */
  floor: number;
  /** How far above the probes' typical best cosine the threshold sits. */
  margin: number;
  /** Which quantile of the probes' best cosines to clear. */
  quantile: number;
}

/** Defaults for {@link DenseCalibrationOptions} (floor comes from configuration). */
export const DEFAULT_DENSE_CALIBRATION: Omit<DenseCalibrationOptions, 'floor'> = { margin: 0.05, quantile: 0.9 };

/**
 * The dense threshold for this model and corpus: the larger of the configured floor and the chosen quantile of
 * the probes' best cosines plus the margin. A model whose unrelated texts look alike (high baseline cosine)
 * gets a higher bar; a well-separated model keeps the configured one.
 */
export async function calibrateDenseThreshold(
  deps: { embedder: Embedder; vectors: VectorStore },
  options: Partial<DenseCalibrationOptions> & Pick<DenseCalibrationOptions, 'floor'>,
): Promise<{ threshold: number; probeQuantile: number }> {
  const { floor, margin, quantile: q } = { ...DEFAULT_DENSE_CALIBRATION, ...options };
  if (deps.vectors.size === 0) return { threshold: floor, probeQuantile: Number.NaN };
  const probeVectors = await deps.embedder.embed(OFF_TOPIC_PROBES);
  const best: number[] = [];
  for (const vector of probeVectors) {
    const [top] = await deps.vectors.query(vector, 1);
    if (top !== undefined) best.push(top.score);
  }
  const probeQuantile = quantile(best, q);
  return { threshold: Math.max(floor, probeQuantile + margin), probeQuantile };
}
