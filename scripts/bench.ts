// `npm run bench`: times index building and question answering, lexical and hybrid (tiny model), side by side.
// Reports medians and p95 over repeated runs in one process; absolute times vary with the machine.

import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCorpus } from '../server/adapters/corpus-folder.ts';
import { loadTransformersEmbedder } from '../server/adapters/transformers-embedder.ts';
import { syncVectorIndex } from '../server/adapters/vector-index.ts';
import { PROJECT_ROOT } from '../server/config.ts';
import { quantile } from '../server/core/evaluation.ts';
import { passagesOf } from '../server/core/passages.ts';
import { openQaService } from '../server/qa-service.ts';
import { loadTransformersReranker } from '../server/adapters/transformers-reranker.ts';
import { loadWordNetSynonyms } from '../server/adapters/wordnet-synonyms.ts';
import { writeTinyCrossEncoder } from './tiny-cross-encoder.ts';
import { writeTinyModel } from './tiny-model.ts';

const ROUNDS = 20;


function row(label: string, values: readonly number[]): string {
  return `${label.padEnd(44)} median ${quantile(values, 0.5).toFixed(2).padStart(8)} ms   p95 ${quantile(values, 0.95).toFixed(2).padStart(8)} ms   (n=${values.length})`;
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'idm-bench-'));
  try {
    const corpusDir = path.join(root, 'corpus');
    await cp(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
    const speeches = await loadCorpus(corpusDir);
    const passages = passagesOf(speeches);
    const modelDir = path.join(root, 'tiny-model');
    // The corpus words as the tiny model's vocabulary make it a bag-of-words model of this corpus.
    await writeTinyModel(modelDir, { vocabulary: passages.flatMap((p) => p.text.split(/\s+/)) });

    const loadStarted = performance.now();
    const embedder = await loadTransformersEmbedder({ modelDir, cacheDir: path.join(root, 'cache'), allowRemote: false });
    console.log(`model load (tiny model): ${(performance.now() - loadStarted).toFixed(1)} ms`);

    const full: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const dir = path.join(root, `index-${i}`);
      let t = performance.now();
      await syncVectorIndex({ dir, embedder, passages });
      full.push(performance.now() - t);
      t = performance.now();
      await syncVectorIndex({ dir, embedder, passages });
      noop.push(performance.now() - t);
    }
    console.log(row(`index build from scratch (${passages.length} paragraphs)`, full));
    console.log(row('index check, nothing changed', noop));

    const questions = (JSON.parse(await readFile(path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'dev-questions.json'), 'utf8')) as Array<{ question: string }>).map((q) => q.question);
    // The product's defaults: WordNet expansion in both modes, and the (tiny) cross-encoder in hybrid mode.
    const crossEncoderDir = path.join(root, 'tiny-cross-encoder');
    await writeTinyCrossEncoder(crossEncoderDir, { vocabulary: passages.flatMap((p) => p.text.split(/\s+/)) });
    const loadSynonyms = () => loadWordNetSynonyms();
    const lexical = await openQaService({ corpusDir, indexDir: path.join(root, 'index-0'), loadEmbedder: null, loadSynonyms, watch: null });
    const hybrid = await openQaService({
      corpusDir,
      indexDir: path.join(root, 'index-0'),
      loadEmbedder: async () => embedder,
      loadReranker: () => loadTransformersReranker({ modelDir: crossEncoderDir, cacheDir: path.join(root, 'cache'), allowRemote: false }),
      loadSynonyms,
      watch: null,
    });
    await hybrid.modelSettled();
    const times = { lexical: [] as number[], hybrid: [] as number[] };
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const question of questions) {
        let t = performance.now();
        await lexical.ask(question, { topK: 3 });
        const a = performance.now() - t;
        t = performance.now();
        await hybrid.ask(question, { topK: 3 });
        const b = performance.now() - t;
        times.lexical.push(a);
        times.hybrid.push(b);
        ratios.push(b / a);
      }
    }
    console.log(row('question, lexical', times.lexical));
    console.log(row('question, hybrid (tiny model + cross-encoder)', times.hybrid));
    console.log(`hybrid / lexical time per question, paired: median ${quantile(ratios, 0.5).toFixed(2)}x`);
    await lexical.close();
    await hybrid.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
