// Builds the chat page: bundles client/main.ts to <outDir>/app.js with esbuild and copies the static files beside it.
// Run directly (`npm run build:client`) or call buildClient() from tests.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../server/config.ts';

const repoRoot = PROJECT_ROOT;
const clientDir = path.join(repoRoot, 'client');
/** Files served as-is next to the bundle. */
const STATIC_FILES = ['index.html'] as const;

/** Options of {@link buildClient}. */
export interface BuildClientOptions {
  /** Where to write `app.js`, its source map and the static files. Defaults to `client/dist`. */
  outDir?: string;
}

/**
 * Bundles the client (ESM, minified, with source map, es2020) and its stylesheet, and copies the page.
 * @throws Error when esbuild reports errors or a static file is missing.
 */
export async function buildClient(options: BuildClientOptions = {}): Promise<void> {
  const outDir = path.resolve(options.outDir ?? path.join(clientDir, 'dist'));
  await mkdir(outDir, { recursive: true });
  // esbuild throws on any error, with all messages attached; 'silent' lets our caller decide how to report it.
  const script = await build({
    entryPoints: [path.join(clientDir, 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'silent',
    absWorkingDir: repoRoot,
    write: false,
  });
  // The stylesheet's @imports (one file per part of the page) are bundled into one file, in order.
  const styles = await build({
    entryPoints: [path.join(clientDir, 'styles.css')],
    outfile: path.join(outDir, 'styles.css'),
    bundle: true,
    minify: true,
    target: ['chrome100', 'firefox100', 'safari15'],
    logLevel: 'silent',
    absWorkingDir: repoRoot,
    write: false,
  });
  // Each file is replaced whole, so a server running from this folder never sends a half-written one.
  const outputs = [...script.outputFiles, ...styles.outputFiles].map((file) => ({ target: file.path, contents: file.contents }));
  for (const file of STATIC_FILES) outputs.push({ target: path.join(outDir, file), contents: await readFile(path.join(clientDir, file)) });
  await Promise.all(outputs.map(({ target, contents }) => replaceFile(target, contents)));
}

/** Writes `contents` beside `target`, then renames it over `target`. */
async function replaceFile(target: string, contents: Uint8Array): Promise<void> {
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, contents);
  await rename(temp, target);
}

function formatBuildError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
    return error.errors
      .map((message: { text?: string; location?: { file?: string; line?: number; column?: number } | null }) => {
        const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
        return `${where}${message.text ?? 'unknown error'}`;
      })
      .join('\n');
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  const started = Date.now();
  buildClient().then(
    () => console.log(`client built to ${path.relative(process.cwd(), path.join(clientDir, 'dist')) || '.'} in ${Date.now() - started} ms`),
    (error: unknown) => {
      console.error(`client build failed:\n${formatBuildError(error)}`);
      process.exitCode = 1;
    },
  );
}
