// The corpus writer on real files: recovery from journals left by dead writers (undoing an add, finishing a
// remove), refusal of malformed journal ids, cleanup of temporary files, and ids that avoid every existing file.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, stageSpeech, takenStems, withCorpusLock } from '../../server/adapters/corpus-writer.ts';
import { lockFileContent, THIS_PROCESS } from '../../server/adapters/dir-lock.ts';
import { deriveSpeechId } from '../../server/core/speech-id.ts';
import type { SpeechMeta } from '../../server/core/types.ts';
import { digestFolder } from './speech-requests.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

let workspace: Workspace;
beforeEach(async () => {
  workspace = await createWorkspace();
});
afterEach(async () => {
  await workspace.remove();
});

const QUIET = { info: () => {}, warn: () => {}, error: () => {} };
const meta: SpeechMeta = { id: 'idm-2020-01-01-test', title: 'Test', speaker: '', role: '', event: '', date: '2020-01-01', place: '', source: '' };
const files = () => readdir(workspace.corpusDir).then((names) => names.sort());
const recover = () => withCorpusLock(workspace.corpusDir, async () => {}, { log: QUIET });

describe('corpus writer', () => {
  it('commits a staged speech, or rolls it back to the folder as it was', async () => {
    const before = await digestFolder(workspace.corpusDir);
    await withCorpusLock(workspace.corpusDir, async () => {
      const staged = await stageSpeech(workspace.corpusDir, { meta, text: 'Some text.\n' });
      expect(await files()).toContain(JOURNAL_FILE);
      await staged.rollback();
    });
    expect(await digestFolder(workspace.corpusDir)).toEqual(before);

    await withCorpusLock(workspace.corpusDir, async () => (await stageSpeech(workspace.corpusDir, { meta, text: 'Some text.\n' })).commit());
    expect(await files()).toEqual(['idm-2018-closing-remarks-swing.meta.json', 'idm-2018-closing-remarks-swing.txt', 'idm-2020-01-01-test.meta.json', 'idm-2020-01-01-test.txt']);
    expect(await readFile(path.join(workspace.corpusDir, 'idm-2020-01-01-test.txt'), 'utf8')).toBe('Some text.\n');
    expect(JSON.parse(await readFile(path.join(workspace.corpusDir, 'idm-2020-01-01-test.meta.json'), 'utf8'))).toEqual({
      title: 'Test',
      speaker: '',
      role: '',
      event: '',
      date: '2020-01-01',
      place: '',
      source: '',
    });
  });

  it('undoes an add a dead writer left uncommitted, at the next lock', async () => {
    const before = await digestFolder(workspace.corpusDir);
    await withCorpusLock(workspace.corpusDir, async () => {
      await stageSpeech(workspace.corpusDir, { meta, text: 'Some text.\n' });
      // Neither committed nor rolled back: as if the process died here.
    });
    await recover();
    expect(await digestFolder(workspace.corpusDir)).toEqual(before);
  });

  it('finishes a remove a dead writer left half-done', async () => {
    await writeFile(path.join(workspace.corpusDir, JOURNAL_FILE), JSON.stringify({ op: 'remove', id: 'idm-2018-closing-remarks-swing', pid: 1, at: '' }));
    await recover();
    expect(await files()).toEqual([]);
  });

  it('ignores a journal with a malformed id or unreadable content, and deletes only writers’ temporary files', async () => {
    const outside = path.join(workspace.root, 'outside.txt');
    await writeFile(outside, 'keep me');
    for (const journal of [JSON.stringify({ op: 'add', id: '../outside' }), '{"op":"add","id":']) {
      await writeFile(path.join(workspace.corpusDir, JOURNAL_FILE), journal);
      await writeFile(path.join(workspace.corpusDir, '.idm-x.txt.123-abc.tmp'), 'half written');
      await writeFile(path.join(workspace.corpusDir, 'notes.tmp'), 'a person’s file');
      await recover();
      expect(await files()).toEqual(['idm-2018-closing-remarks-swing.meta.json', 'idm-2018-closing-remarks-swing.txt', 'notes.tmp']);
      expect(await readFile(outside, 'utf8')).toBe('keep me');
    }
  });

  it('takes over a lock left by a dead process, or by an earlier process with this pid (a restarted container)', async () => {
    for (const pid of [2 ** 22 + 12_345, process.pid]) {
      await writeFile(path.join(workspace.corpusDir, '.lock'), lockFileContent({ ...THIS_PROCESS, pid }));
      await expect(withCorpusLock(workspace.corpusDir, async () => 'got it', { timeoutMs: 1_000 })).resolves.toBe('got it');
    }
    expect(await files()).not.toContain('.lock');
  });

  it('waits for a live holder, then fails with busy', async () => {
    await writeFile(path.join(workspace.corpusDir, '.lock'), lockFileContent({ ...THIS_PROCESS, pid: process.ppid }));
    await expect(withCorpusLock(workspace.corpusDir, async () => 'got it', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'busy' });
  });

  it('derives ids that avoid every file stem in the folder, orphaned metadata included', async () => {
    await writeFile(path.join(workspace.corpusDir, 'idm-2020-01-01-test.meta.json'), '{}');
    await writeFile(path.join(workspace.corpusDir, 'idm-2020-01-01-test-2.md'), 'text');
    const taken = await takenStems(workspace.corpusDir);
    expect(deriveSpeechId({ date: '2020-01-01', title: 'Test', taken })).toBe('idm-2020-01-01-test-3');
    await withCorpusLock(workspace.corpusDir, async () => {
      await expect(stageSpeech(workspace.corpusDir, { meta, text: 'x' })).rejects.toThrow('already taken');
    });
  });
});
