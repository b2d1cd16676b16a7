// The service follows changes made to corpus/ by other processes or by hand: a new speech, an edited metadata
// file, a broken one (kept out until fixed), a removed speech; listeners hear of each real change once.

import { spawn } from 'node:child_process';
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFileContent, THIS_PROCESS } from '../../server/adapters/dir-lock.ts';
import { openQaService, type CorpusCounts, type QaService } from '../../server/qa-service.ts';
import { CLIMATE_KEYNOTE, speechPlainText } from '../fixtures/make-fixtures.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

let workspace: Workspace;
let service: QaService;
const changes: CorpusCounts[] = [];
const warnings: string[] = [];

beforeEach(async () => {
  workspace = await createWorkspace();
  changes.length = 0;
  warnings.length = 0;
  service = await openQaService({
    corpusDir: workspace.corpusDir,
    indexDir: workspace.indexDir,
    watch: { debounceMs: 50 },
    log: { info: () => {}, error: () => {}, warn: (line) => warnings.push(line) },
  });
  service.onCorpusChange((counts) => changes.push(counts));
});
afterEach(async () => {
  await service.close();
  await workspace.remove();
});

/** Waits, bounded, until `done` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const file = (name: string) => path.join(workspace.corpusDir, name);
const keynoteMeta = { title: 'Keynote Address', speaker: 'Ana Lucía Ferreira', date: '2019-10-15' };

describe('watching the corpus folder', () => {
  it('picks up a speech written by hand, an edited title, a broken metadata file and a removal', async () => {
    // Metadata first: metadata without its text is ignored, so the speech appears once, complete.
    await writeFile(file('idm-keynote.meta.json'), JSON.stringify(keynoteMeta));
    await writeFile(file('idm-keynote.txt'), speechPlainText(CLIMATE_KEYNOTE));
    await until(() => changes.length === 1, 'the new speech');
    expect(changes[0]).toEqual({ speeches: 2, paragraphs: 26 + CLIMATE_KEYNOTE.paragraphs.length });
    expect((await service.ask('community volunteers cyclone landfall', { topK: 1 })).passages[0]?.speech.id).toBe('idm-keynote');

    await writeFile(file('idm-keynote.meta.json'), JSON.stringify({ ...keynoteMeta, title: 'Edited by hand' }));
    await until(() => changes.length === 2, 'the edited title');
    expect(service.getSpeech('idm-keynote').meta.title).toBe('Edited by hand');

    await writeFile(file('idm-keynote.meta.json'), '{"title": ');
    await until(() => warnings.some((w) => w.includes('not reloaded') && w.includes('idm-keynote.meta.json')), 'the warning');
    expect(service.getSpeech('idm-keynote').meta.title).toBe('Edited by hand');

    await rm(file('idm-keynote.txt'));
    await until(() => changes.length === 3, 'the removal');
    expect(changes[2]).toEqual({ speeches: 1, paragraphs: 26 });
  });

  it('tries again when another process holds the lock for longer than the lock timeout', async () => {
    const patient = await openQaService({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, watch: { debounceMs: 50 }, lockTimeoutMs: 200 });
    const seen: CorpusCounts[] = [];
    patient.onCorpusChange((counts) => seen.push(counts));
    // A live process that is not a writer at all stands in for one holding the lock for 2 s.
    const holder = spawn('sleep', ['2']);
    await writeFile(file('.lock'), lockFileContent({ ...THIS_PROCESS, pid: holder.pid! }));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await writeFile(file('idm-keynote.meta.json'), JSON.stringify(keynoteMeta));
      await writeFile(file('idm-keynote.txt'), speechPlainText(CLIMATE_KEYNOTE));
      await exited;
      await until(() => seen.length === 1, 'the reload after the lock was freed');
      expect(patient.status().speeches).toBe(2);
    } finally {
      await patient.close();
    }
  });

  it('does not report a change when files are rewritten with the same content', async () => {
    await cp(file('idm-2018-closing-remarks-swing.meta.json'), file('copy.tmp'));
    await cp(file('copy.tmp'), file('idm-2018-closing-remarks-swing.meta.json'));
    await rm(file('copy.tmp'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(changes).toEqual([]);
  });
});
