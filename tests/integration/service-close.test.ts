// Closing the service waits for the work in progress: a reload started by a change on disk, an add (finished, or
// rolled back when it runs past the deadline), and refuses changes asked for after it began.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Embedder } from '../../server/core/types.ts';
import { openQaService } from '../../server/qa-service.ts';
import { CLIMATE_KEYNOTE, speechPlainText } from '../fixtures/make-fixtures.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import { FakeEmbedder } from '../unit/fakes.ts';
import { digestFolder } from './speech-requests.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

const QUIET = { info: () => {}, warn: () => {}, error: () => {} };
let workspace: Workspace;
beforeEach(async () => {
  workspace = await createWorkspace();
});
afterEach(() => workspace.remove());

/** A fake model whose every batch takes `delayMs`, and which says when a batch starts. */
function slowEmbedder(delayMs: number, onBatch: () => void = () => {}): Embedder {
  return wrapEmbedder(new FakeEmbedder(), {
    async before() {
      onBatch();
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    },
  });
}

const keynote = () => ({ source: { text: speechPlainText(CLIMATE_KEYNOTE, { headerBlock: true }), fileName: 'keynote.txt' } });

describe('closing the service', () => {
  it('waits for a reload under way, so that the folder can be removed at once (no ENOTEMPTY)', async () => {
    let armed = false;
    let reloading: () => void = () => {};
    const embeddingNewSpeech = new Promise<void>((resolve) => {
      reloading = resolve;
    });
    const fake = new FakeEmbedder();
    const batches = { started: 0, ended: 0 };
    const embedder: Embedder = wrapEmbedder(fake, {
      async before() {
        batches.started += 1;
        if (armed) reloading();
        await new Promise((resolve) => setTimeout(resolve, 100));
        batches.ended += 1;
      },
    });
    const service = await openQaService({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, loadEmbedder: async () => embedder, watch: { debounceMs: 20 }, log: QUIET });
    await service.modelSettled();
    armed = true;
    // A speech written by hand: the watcher reloads it and embeds its paragraphs (slowly); close while it does.
    await writeFile(path.join(workspace.corpusDir, 'idm-keynote.meta.json'), JSON.stringify({ title: 'Keynote', date: '2019-10-15' }));
    await writeFile(path.join(workspace.corpusDir, 'idm-keynote.txt'), speechPlainText(CLIMATE_KEYNOTE));
    await embeddingNewSpeech;
    await service.close();
    // Nothing it started is still running, and nothing starts later: the folder can go at once.
    expect(batches.ended).toBe(batches.started);
    await workspace.remove();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(batches.ended).toBe(batches.started);
  });

  it('lets an add under way finish, and refuses changes asked for after closing began', async () => {
    const service = await openQaService({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, loadEmbedder: async () => slowEmbedder(50), watch: null, log: QUIET });
    await service.modelSettled();
    const adding = service.addSpeech(keynote());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closing = service.close();
    await expect(service.addSpeech(keynote())).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('shutting down') });
    await expect(service.removeSpeech('idm-2018-closing-remarks-swing')).rejects.toMatchObject({ code: 'busy' });
    const added = await adding;
    await closing;
    expect(added.speech).toMatchObject({ title: 'Migration in a Changing Climate', date: '2019-10-15' });
    expect(added.speech.id).not.toBe('');
  });

  it('rolls back an add still embedding when the deadline passes: corpus and index as before', async () => {
    let armed = false;
    let embedding: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      embedding = resolve;
    });
    const service = await openQaService({
      corpusDir: workspace.corpusDir,
      indexDir: workspace.indexDir,
      loadEmbedder: async () =>
        slowEmbedder(300, () => {
          if (armed) embedding();
        }),
      watch: null,
      log: QUIET,
    });
    await service.modelSettled();
    const corpusBefore = await digestFolder(workspace.corpusDir);
    const indexBefore = await digestFolder(workspace.indexDir);
    armed = true;
    const adding = service.addSpeech(keynote());
    await started;
    const closing = service.close({ abortChangesAfterMs: 100 });
    await expect(adding).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('undone') });
    await closing;
    expect(await digestFolder(workspace.corpusDir)).toEqual(corpusBefore);
    expect(await digestFolder(workspace.indexDir)).toEqual(indexBefore);
  });
});
