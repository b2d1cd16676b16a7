// Unit tests of deriving a new speech's id: the slug of the title, the date, deduplication and the id pattern.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { deriveSpeechId, slugOf } from '../../server/core/speech-id.ts';
import { isSpeechId } from '../../server/core/speech-meta.ts';

const none = new Set<string>();

describe('slugOf', () => {
  it.each([
    ['Migration and Climate', 'migration-climate'],
    ["Côte d'Ivoire Opening Remarks", 'cote-d-ivoire-opening-remarks'],
    ['  --Keynote__Address!!  ', 'keynote-address'],
    ['Ümlaut Ærø Straße', 'umlaut-aero-strasse'],
  ])('folds %j to %j', (title, slug) => {
    expect(slugOf(title)).toBe(slug);
  });

  it('falls back to "speech" for a title without Latin letters or digits', () => {
    expect(slugOf('移民与气候')).toBe('speech');
    expect(slugOf('')).toBe('speech');
  });

  it('cuts long titles at a word boundary to at most 32 characters, never ending on a small word', () => {
    const slug = slugOf('Statement by the Director General on migration governance in a time of climate change and conflict');
    expect(slug).toBe('statement-director-general');
    expect(slugOf('x'.repeat(200))).toBe('x'.repeat(32));
  });

  it.each([
    ['Opening Remarks, International Dialogue on Migration in Geneva: Understanding migrant vulnerabilities', 'opening-remarks-geneva'],
    ['International Dialogue on Migration 2010 - Migration and Social Change - Societies and Identities', 'migration-social-change'],
    ['Closing Remarks, International Dialogue on Migration (youth and migration)', 'closing-remarks'],
    ['Finding Balance – Harnessing the Benefits and Addressing Key Challenges of Regular Migration Pathways', 'finding-balance'],
    ['Statement by Sri Lanka, International Dialogue on Migration – 2020, Panel 2: Protection of migrants', 'statement-sri-lanka'],
  ])('keeps the main title of %j, without the dialogue\'s own name: %j', (title, slug) => {
    expect(slugOf(title)).toBe(slug);
  });

  it('reads a subtitle only when the main title says too little, and keeps small words when nothing else is left', () => {
    expect(slugOf('IDM: Youth and Migration')).toBe('youth-migration');
    expect(slugOf('On the Move')).toBe('move');
    expect(slugOf('On the')).toBe('on-the');
  });

  it('never lets path characters through', () => {
    for (const title of ['../../etc/passwd', 'a/b\\c', '%2e%2e', 'NUL\u0000byte', 'C:\\Windows']) {
      expect(slugOf(title)).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });
});

describe('deriveSpeechId', () => {
  it('joins the prefix, date and slug', () => {
    expect(deriveSpeechId({ date: '2019-10-15', title: 'Migration and Climate', taken: none })).toBe('idm-2019-10-15-migration-climate');
  });

  it('appends -2, -3… when the id is taken', () => {
    const taken = new Set(['idm-2019-10-15-keynote', 'idm-2019-10-15-keynote-2']);
    expect(deriveSpeechId({ date: '2019-10-15', title: 'Keynote', taken })).toBe('idm-2019-10-15-keynote-3');
  });

  it('always gives a valid speech id', () => {
    for (const title of ['', '...', 'A'.repeat(500), 'Ünïcödé tïtlé', '../../../x']) {
      expect(isSpeechId(deriveSpeechId({ date: '2020-02-29', title, taken: none }))).toBe(true);
    }
  });

  it('gives the short id of the example in the issue', () => {
    const title = 'Opening Remarks, International Dialogue on Migration in Geneva: Understanding migrant vulnerabilities';
    expect(deriveSpeechId({ date: '2016-10-11', title, taken: none })).toBe('idm-2016-10-11-opening-remarks-geneva');
  });

  it('refuses a date that is not a real YYYY-MM-DD date', () => {
    for (const date of ['', '2019-13-01', '2019-02-30', '15 October 2019', '../2019']) {
      expect(() => deriveSpeechId({ date, title: 'x', taken: none })).toThrow(AppError);
    }
  });
});
