// How each embedding model must be used: pooling, query and passage prefixes, and its token limit. The profile
// travels with the model id and is recorded in the index, so a change rebuilds the index. Pure data.

/** How texts are turned into vectors with one model. */
export interface EmbeddingProfile {
  /** `mean`: the average of the token vectors; `cls`: the first token's vector. */
  pooling: 'mean' | 'cls';
  /** Whether vectors are scaled to unit length (cosine is then a dot product). */
  normalize: boolean;
  /** Put before every question, e.g. `query: ` for E5 or BGE's retrieval instruction. */
  queryPrefix: string;
  /** Put before every passage, e.g. `passage: ` for E5. */
  passagePrefix: string;
  /** Most tokens the model reads at once, special tokens included; longer passages are embedded in windows. */
  maxTokens: number;
  /** Tokens that consecutive windows of one long passage share, so no sentence is cut off from its context. */
  windowOverlap: number;
}

/** The profile of a model this product knows nothing about: mean pooling, no prefixes. */
export const DEFAULT_EMBEDDING_PROFILE: EmbeddingProfile = {
  pooling: 'mean',
  normalize: true,
  queryPrefix: '',
  passagePrefix: '',
  maxTokens: 256,
  windowOverlap: 64,
};

/**
 * The models measured for this product, by name (the last part of the model id, compared without case), with
 * the settings their authors trained them with.
 */
export const KNOWN_EMBEDDING_PROFILES: Readonly<Record<string, EmbeddingProfile>> = {
  // sentence-transformers trained it on 128-token inputs and reads up to 256.
  'all-minilm-l6-v2': { ...DEFAULT_EMBEDDING_PROFILE, maxTokens: 256 },
  'bge-small-en-v1.5': {
    ...DEFAULT_EMBEDDING_PROFILE,
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    maxTokens: 512,
  },
  'e5-small-v2': { ...DEFAULT_EMBEDDING_PROFILE, queryPrefix: 'query: ', passagePrefix: 'passage: ', maxTokens: 512 },
};

/** The name a profile is looked up by: `Xenova/bge-small-en-v1.5` and a folder `bge-small-en-v1.5` are the same model. */
export function modelName(modelId: string): string {
  return (modelId.split('/').pop() ?? modelId).toLowerCase();
}

/**
 * The profile of `modelId`. An unknown model gets the default profile, with its token limit capped at what its
 * tokenizer declares (`tokenizerLimit`), so that nothing beyond the model's reach is ever fed to it.
 */
export function embeddingProfileFor(modelId: string, context: { tokenizerLimit?: number } = {}): { profile: EmbeddingProfile; known: boolean } {
  const known = KNOWN_EMBEDDING_PROFILES[modelName(modelId)];
  const base = known ?? DEFAULT_EMBEDDING_PROFILE;
  const limit = context.tokenizerLimit;
  const maxTokens = limit !== undefined && Number.isFinite(limit) && limit > 0 ? Math.min(base.maxTokens, limit) : base.maxTokens;
  return { profile: { ...base, maxTokens }, known: known !== undefined };
}

/** True when two profiles embed alike, so vectors of one may be reused by the other. */
export function sameProfile(a: EmbeddingProfile, b: EmbeddingProfile): boolean {
  return (Object.keys(DEFAULT_EMBEDDING_PROFILE) as Array<keyof EmbeddingProfile>).every((key) => a[key] === b[key]);
}

/**
 * Splits a passage's tokens into windows that fit the model: each at most `room` tokens, consecutive ones
 * sharing `overlap`, the last ending at the passage's end. A passage that fits is one window.
 */
export function tokenWindows<T>(tokens: readonly T[], options: { room: number; overlap: number }): T[][] {
  const room = Math.max(1, options.room);
  if (tokens.length <= room) return [[...tokens]];
  const step = Math.max(1, room - Math.min(Math.max(0, options.overlap), room - 1));
  const windows: T[][] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(tokens.length, start + room);
    windows.push(tokens.slice(start, end));
    if (end === tokens.length) return windows;
  }
}
