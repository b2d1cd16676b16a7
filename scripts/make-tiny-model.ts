// CLI around writeTinyModel and writeTinyCrossEncoder: `npx tsx scripts/make-tiny-model.ts <outDir> [--cross-encoder]
// [--dimension 64] [--seed 1] [--vocab-from file...]`; words from the files join the built-in common-word vocabulary.

import { readFile } from 'node:fs/promises';
import { writeTinyCrossEncoder } from './tiny-cross-encoder.ts';
import { COMMON_WORDS, writeTinyModel } from './tiny-model.ts';

const USAGE =
  'usage: npx tsx scripts/make-tiny-model.ts <outDir> [--cross-encoder] [--dimension 64] [--seed 1] [--vocab-from file...]';

interface CliArgs {
  outDir: string;
  /** Write the tiny cross-encoder (reranker) instead of the tiny embedding model. */
  crossEncoder: boolean;
  dimension?: number;
  seed?: number;
  vocabFiles: string[];
}

/** Parses argv; `--vocab-from` takes every following argument up to the next `--option` (and may repeat). */
function parseArgs(argv: readonly string[]): CliArgs {
  const positionals: string[] = [];
  const vocabFiles: string[] = [];
  let dimension: number | undefined;
  let seed: number | undefined;
  let crossEncoder = false;
  const integerAfter = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n)) throw new Error(`${flag} needs an integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--cross-encoder') crossEncoder = true;
    else if (arg === '--dimension') dimension = integerAfter(arg, argv[++i]);
    else if (arg === '--seed') seed = integerAfter(arg, argv[++i]);
    else if (arg === '--vocab-from') {
      const start = vocabFiles.length;
      while (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) vocabFiles.push(argv[++i] ?? '');
      if (vocabFiles.length === start) throw new Error('--vocab-from needs at least one file');
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else positionals.push(arg);
  }
  const [outDir, ...extra] = positionals;
  if (outDir === undefined || extra.length > 0) throw new Error('give exactly one output folder');
  return { outDir, crossEncoder, dimension, seed, vocabFiles };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const fileWords: string[] = [];
  for (const file of args.vocabFiles) {
    // The generator lowercases and splits at punctuation itself; whitespace splitting is enough here.
    fileWords.push(...(await readFile(file, 'utf8')).split(/\s+/).filter(Boolean));
  }
  const options = { dimension: args.dimension, seed: args.seed, vocabulary: [...COMMON_WORDS, ...fileWords] };
  const info = args.crossEncoder ? await writeTinyCrossEncoder(args.outDir, options) : await writeTinyModel(args.outDir, options);
  const kind = args.crossEncoder ? 'tiny cross-encoder' : 'tiny model';
  console.log(`Wrote ${kind} to ${info.dir} (dimension ${info.dimension}, ${info.vocabSize} tokens).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(USAGE);
  process.exitCode = 1;
});
