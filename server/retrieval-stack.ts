// The one way retrieval is put together from its parts (models, vectors, dense threshold, constants): the server,
// `npm run eval` and `npm run bench` all build their Retriever here, so what is measured is what users get.

import type { Config } from './config.ts';
import { calibrateDenseThreshold } from './core/dense-calibration.ts';
import type { LexicalIndex } from './core/lexical-index.ts';
import { SILENT_LOGGER, type Logger } from './core/logger.ts';
import { Retriever, type RetrievalOptions } from './core/retriever.ts';
import type { Embedder, Reranker, RetrievalMode, Speech, SynonymLookup, VectorStore } from './core/types.ts';

/** The settings of retrieval a configuration gives. */
export interface RetrievalSettings {
  /** A fixed dense threshold (`DENSE_MIN_SCORE`), or null to calibrate it per model and corpus. */
  fixedDenseThreshold: number | null;
  /** Constants that replace the defaults of core/relevance.ts (evaluation tries them with `--set`). */
  overrides: Partial<RetrievalOptions>;
}

/** Dense retrieval ready to answer: the model, the passages' vectors and the threshold for them. */
export interface DenseSide {
  embedder: Embedder;
  vectors: VectorStore;
  threshold: number;
  /** How the threshold was set, for the log. */
  origin: string;
  /** The off-topic probes' vectors, kept so that new vectors of the corpus are calibrated without the model. */
  probeVectors: readonly number[][] | null;
}

/** Everything a Retriever is built from. */
export interface RetrievalParts {
  speeches: readonly Speech[];
  /** Their keyword index, when it was read from the index on disk; else built from the speeches. */
  lexical?: LexicalIndex;
  dense: DenseSide | null;
  reranker: Reranker | null;
  synonyms: SynonymLookup | null;
  settings: RetrievalSettings;
  /** Defaults to hybrid with a dense side, lexical without; evaluation asks for each mode. */
  mode?: RetrievalMode;
}

/** The retrieval settings of a configuration. */
export function retrievalSettingsFor(config: Config): RetrievalSettings {
  return { fixedDenseThreshold: config.denseMinScore, overrides: {} };
}

/**
 * Sets the dense threshold for `vectors`: the fixed one, or one calibrated on off-topic probes (whose vectors are
 * taken from `previous` when it used the same model).
 */
export async function prepareDense(
  embedder: Embedder,
  vectors: VectorStore,
  options: { settings: RetrievalSettings; previous?: DenseSide | null; log?: Logger },
): Promise<DenseSide> {
  const { settings, previous = null, log = SILENT_LOGGER } = options;
  const fixed = settings.overrides.minDenseScore ?? settings.fixedDenseThreshold;
  if (fixed !== null) return { embedder, vectors, threshold: fixed, origin: 'as configured', probeVectors: null };
  const probeVectors = previous?.embedder === embedder ? (previous.probeVectors ?? undefined) : undefined;
  const calibration = await calibrateDenseThreshold({ embedder, vectors, probeVectors });
  const origin = `calibrated: off-topic probes reach ${calibration.probeQuantile.toFixed(3)}`;
  if (previous?.threshold !== calibration.threshold) log.info(`dense threshold ${calibration.threshold.toFixed(3)} for model ${embedder.modelId} (${origin})`);
  return { embedder, vectors, threshold: calibration.threshold, origin, probeVectors: calibration.probeVectors };
}

/** The Retriever the parts make. */
export function buildRetriever(parts: RetrievalParts): Retriever {
  const { dense, settings } = parts;
  const mode = parts.mode ?? (dense === null ? 'lexical' : 'hybrid');
  const lexicalOnly = mode === 'lexical';
  return new Retriever({
    speeches: parts.speeches,
    lexical: parts.lexical,
    dense: lexicalOnly || dense === null ? null : { embedder: dense.embedder, vectors: dense.vectors },
    reranker: lexicalOnly ? null : parts.reranker,
    synonyms: parts.synonyms,
    mode,
    options: dense === null ? settings.overrides : { ...settings.overrides, minDenseScore: dense.threshold },
  });
}
