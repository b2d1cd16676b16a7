// `npm run build`: compiles the product (the server, its command-line tools and the upload reader's worker) to
// JavaScript under dist/ with esbuild, and the chat page to client/dist, so that nothing is transformed at run time.
// With --if-stale it does nothing when dist/ is newer than every source file. Plain JavaScript: it runs before
// anything is compiled.

import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const stamp = path.join(outDir, '.built');
/** The product's entry points, compiled one file each (dependencies stay in node_modules). */
const ENTRIES = [
  'server/main.ts',
  'server/adapters/extraction-worker.ts',
  ...['ask', 'add-speech', 'remove-speech', 'list-speeches', 'build-index', 'eval', 'model-fetch'].map((name) => `server/cli/${name}.ts`),
  'scripts/build-client.ts',
];
/** What the compiled files are made from. */
const SOURCES = ['server', 'client', 'scripts', 'package.json', 'package-lock.json'];

async function newestSource(entry) {
  const info = await stat(path.join(root, entry)).catch(() => null);
  if (info === null) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of await readdir(path.join(root, entry))) {
    if (child === 'dist' || child.startsWith('.')) continue;
    newest = Math.max(newest, await newestSource(path.join(entry, child)));
  }
  return newest;
}

async function isStale() {
  const built = await stat(stamp).catch(() => null);
  if (built === null) return true;
  for (const entry of SOURCES) if ((await newestSource(entry)) > built.mtimeMs) return true;
  return false;
}

if (process.argv.includes('--if-stale') && !(await isStale())) process.exit(0);
const started = performance.now();
await mkdir(outDir, { recursive: true });
await build({
  entryPoints: ENTRIES.map((entry) => path.join(root, entry)),
  outdir: outDir,
  outbase: root,
  outExtension: { '.js': '.js' },
  bundle: true,
  packages: 'external',
  // Separate chunks for what is imported on demand (the model library), so that a start does not load it.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
});
const { buildClient } = await import(pathToFileURL(path.join(outDir, 'scripts', 'build-client.js')).href);
await buildClient();
await writeFile(stamp, `${new Date().toISOString()}\n`);
console.error(`built dist/ and client/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
