// `npm run bench` without --sizes: per embedding model, the time to index a paragraph and to embed a question; then
// answering, lexical and hybrid side by side through the server's own service. Medians and p95 over repeated runs in
// one process; absolute times vary with the machine, ratios less so.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCorpus } from '../../server/adapters/corpus-folder.ts';
import { FETCHABLE_MODELS, findFetchableModel } from '../../server/adapters/model-catalog.ts';
import { modelFilesSize, modelFolderIn } from '../../server/adapters/model-fetch.ts';
import { loadTransformersEmbedder } from '../../server/adapters/transformers-embedder.ts';
import { loadWordNetSynonyms } from '../../server/adapters/wordnet-synonyms.ts';
import { loadConfig, PROJECT_ROOT } from '../../server/config.ts';
import { quantile } from '../../server/core/evaluation.ts';
import { passagesOf } from '../../server/core/passages.ts';
import type { Embedder, Passage } from '../../server/core/types.ts';
import { CorpusIndex } from '../../server/corpus-index.ts';
import { openQaService } from '../../server/qa-service.ts';
import { writeTinyModel } from '../tiny-model.ts';
import { formatBatching, measureBatching } from './batch-bench.ts';
import { readBenchQuestions } from './bench-questions.ts';

function row(label: string, values: readonly number[], unit = 'ms'): string {
  const median = quantile(values, 0.5).toFixed(2).padStart(8);
  return `${label.padEnd(52)} median ${median} ${unit}   p95 ${quantile(values, 0.95).toFixed(2).padStart(8)} ${unit}   (n=${values.length})`;
}

/** The models to measure: the configured one, every fetched one of the catalogue, or those named. */
function modelIds(option: string, configured: string | null): string[] {
  if (option === 'configured') return configured === null ? [] : [configured];
  if (option === 'all') return FETCHABLE_MODELS.map((model) => model.hubId);
  return option.split(',').map((name) => findFetchableModel(name.trim())?.hubId ?? name.trim());
}

/** Times building the index from scratch (per paragraph) and embedding single questions. */
async function measureModel(
  embedder: Embedder,
  context: { corpusDir: string; passages: readonly Passage[]; questions: readonly string[]; root: string; rounds: number },
): Promise<void> {
  const perParagraph: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    const indexDir = path.join(context.root, `index-${embedder.modelId.replace(/\W/g, '_')}-${i}`);
    await new CorpusIndex({ corpusDir: context.corpusDir, indexDir }).sync({ embedder });
    perParagraph.push((performance.now() - started) / context.passages.length);
  }
  const perQuestion: number[] = [];
  for (let round = 0; round < context.rounds; round += 1) {
    for (const question of context.questions) {
      const started = performance.now();
      await embedder.embedQueries([question]);
      perQuestion.push(performance.now() - started);
    }
  }
  console.log(`${embedder.modelId} (${embedder.dimension} dimensions, ${embedder.profile.pooling} pooling)`);
  console.log(row(`  index from scratch, per paragraph (${context.passages.length})`, perParagraph));
  console.log(row('  embedding one question', perQuestion));
}

/**
 * Per embedding model (the tiny test model, and the configured or named fetched ones), the time to index a paragraph
 * and to embed a question; then answering, lexical and hybrid side by side, on the seed and corpus-dev speeches.
 */
export async function runModelBench(options: { models: string; rounds: number; batchSizes: readonly number[]; chunkSizes: readonly number[] }): Promise<void> {
  const { rounds } = options;
  const config = loadConfig(process.env);
  const root = await mkdtemp(path.join(os.tmpdir(), 'idm-bench-'));
  try {
    const corpusDir = path.join(root, 'corpus');
    await cp(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
    await cp(path.join(PROJECT_ROOT, 'tests', 'fixtures', 'corpus-dev'), corpusDir, { recursive: true });
    const passages = passagesOf(await loadCorpus(corpusDir));
    const questions = await readBenchQuestions();
    console.log(`corpus: ${passages.length} paragraphs (the seed and the five corpus-dev statements); ${questions.length} questions\n`);

    const tinyDir = path.join(root, 'tiny-model');
    await writeTinyModel(tinyDir, { vocabulary: passages.flatMap((p) => p.text.split(/\s+/)) });
    const measured: Embedder[] = [await loadTransformersEmbedder({ modelDir: tinyDir, cacheDir: path.join(root, 'cache'), allowRemote: false })];
    const configured = config.model.kind === 'hub' ? config.model.id : null;
    for (const id of modelIds(options.models, configured)) {
      if ((await modelFilesSize(modelFolderIn(config.modelCacheDir, id))) === null) {
        console.log(`${id}: not in the model cache; \`npm run model:fetch -- ${id}\` fetches it`);
        continue;
      }
      measured.push(await loadTransformersEmbedder({ modelId: id, cacheDir: config.modelCacheDir, allowRemote: false }));
    }
    for (const embedder of measured) await measureModel(embedder, { corpusDir, passages, questions, root, rounds });

    // Answering through the server's own service, with the configured model (the tiny one when it is not fetched).
    const embedder = measured.find((candidate) => candidate.modelId === configured) ?? (measured[0] as Embedder);
    const reload = (batchSize: number) =>
      embedder === measured[0]
        ? loadTransformersEmbedder({ modelDir: tinyDir, cacheDir: path.join(root, 'cache'), allowRemote: false, batchSize })
        : loadTransformersEmbedder({ modelId: embedder.modelId, cacheDir: config.modelCacheDir, allowRemote: false, batchSize });
    const batching = await measureBatching({ loadEmbedder: reload, texts: passages.map((passage) => passage.text), batchSizes: options.batchSizes, chunkSizes: options.chunkSizes, repeats: 3 });
    console.log(`\nbatching: building an index with ${embedder.modelId}, paragraphs per second (median of 3 passes over ${passages.length} paragraphs)`);
    console.log(formatBatching(batching));
    const loadSynonyms = () => loadWordNetSynonyms();
    const indexDir = path.join(root, 'index-answering');
    const lexical = await openQaService({ corpusDir, indexDir, loadEmbedder: null, loadSynonyms, watch: null });
    const hybrid = await openQaService({ corpusDir, indexDir, loadEmbedder: async () => embedder, loadSynonyms, watch: null });
    await hybrid.modelSettled();
    const times = { lexical: [] as number[], hybrid: [] as number[] };
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const question of questions) {
        let started = performance.now();
        await lexical.ask(question, { topK: 3 });
        const a = performance.now() - started;
        started = performance.now();
        await hybrid.ask(question, { topK: 3 });
        const b = performance.now() - started;
        times.lexical.push(a);
        times.hybrid.push(b);
        ratios.push(b / a);
      }
    }
    console.log(`\nanswering (${embedder.modelId} in hybrid mode, WordNet expansion in both)`);
    console.log(row('  question, lexical', times.lexical));
    console.log(row('  question, hybrid', times.hybrid));
    console.log(`  hybrid / lexical time per question, paired: median ${quantile(ratios, 0.5).toFixed(2)}x`);
    await Promise.all([lexical.close(), hybrid.close()]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
