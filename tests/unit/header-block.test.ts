// Tests of the `Title:`/`Speaker:`/`Date:` header block at the top of a speech text, alone and through splitSpeech.

import { describe, expect, it } from 'vitest';
import { readHeaderBlock } from '../../server/core/header-block.ts';
import { splitSpeech } from '../../server/core/paragraphs.ts';
import { CLIMATE_KEYNOTE, ISLAND_STATEMENT, speechPlainText } from '../fixtures/fixture-speeches.ts';

const BODY = 'First paragraph of the speech, a full sentence.\n\nSecond paragraph, also a sentence.';

describe('readHeaderBlock', () => {
  it('reads every key in any order and case, converting the date to ISO', () => {
    const raw = [
      'source: https://example.org/s.pdf',
      'TITLE:  Opening   remarks ',
      'Speaker: Jane Q. Public',
      'Role: Special Envoy',
      'Date: Tuesday, 27th March 2018',
      'Event : International Dialogue on Migration',
      'Place: New York',
      '',
      BODY,
    ].join('\n');
    const header = readHeaderBlock(raw);
    expect(header.meta).toEqual({
      title: 'Opening remarks',
      speaker: 'Jane Q. Public',
      role: 'Special Envoy',
      date: '2018-03-27',
      event: 'International Dialogue on Migration',
      place: 'New York',
      source: 'https://example.org/s.pdf',
    });
    expect(raw.slice(header.end).startsWith('\n\nFirst paragraph')).toBe(true);
  });

  it.each([
    ['27.03.2018', '2018-03-27'],
    ['March 27, 2018', '2018-03-27'],
    ['2018-03-27', '2018-03-27'],
  ])('reads Date: %s as %s', (value, iso) => {
    expect(readHeaderBlock(`Date: ${value}\n\n${BODY}`).meta.date).toBe(iso);
  });

  it('drops a date it cannot read (reporting it as unreadable), empty values and repeats of a key', () => {
    const header = readHeaderBlock('Date: sometime in spring\nPlace:\nTitle: One\nTitle: Two\n\nText.');
    expect(header.meta).toEqual({ title: 'One' });
    expect(header.unreadable).toEqual({ date: 'sometime in spring' });
  });

  it('reports "Date: not given on page" as an unreadable date line', () => {
    expect(readHeaderBlock('Title: Remarks\nDate: not given on page\n\nText.').unreadable).toEqual({ date: 'not given on page' });
  });

  it('splits "Speaker: Name, Role" into the speaker and the role, unless a Role line is given', () => {
    expect(readHeaderBlock('Speaker: William Lacy Swing, IOM Director General\n\nText.').meta).toEqual({
      speaker: 'William Lacy Swing',
      role: 'IOM Director General',
    });
    expect(readHeaderBlock('Speaker: William Lacy Swing, IOM Director General\nRole: Director General, IOM\n\nText.').meta).toEqual({
      speaker: 'William Lacy Swing',
      role: 'Director General, IOM',
    });
    // A speaker that is not a person's name stays whole.
    expect(readHeaderBlock('Speaker: Permanent Mission of Sri Lanka, Geneva\n\nText.').meta).toEqual({ speaker: 'Permanent Mission of Sri Lanka, Geneva' });
  });

  it('allows blank lines, a byte-order mark and CRLF line ends before and in the block', () => {
    const raw = '\uFEFF\r\n\r\nTitle: Remarks\r\nDate: 5 June 2019\r\n\r\nText.';
    const header = readHeaderBlock(raw);
    expect(header.meta).toEqual({ title: 'Remarks', date: '2019-06-05' });
    expect(raw.slice(header.end)).toBe('\r\n\r\nText.');
  });

  it('ends at the first line that is not a header line', () => {
    const header = readHeaderBlock('Title: Remarks\nThis line is text: it ends the block.\nSpeaker: Not read');
    expect(header.meta).toEqual({ title: 'Remarks' });
    expect(header.end).toBe('Title: Remarks'.length);
  });

  it('finds nothing when the text does not start with a header line', () => {
    expect(readHeaderBlock(`${BODY}\n\nTitle: Too late\n`)).toEqual({ meta: {}, unreadable: {}, end: 0 });
    expect(readHeaderBlock('Subtitle: not a key\nTitle: X')).toEqual({ meta: {}, unreadable: {}, end: 0 });
    expect(readHeaderBlock('')).toEqual({ meta: {}, unreadable: {}, end: 0 });
  });
});

describe('splitSpeech with a header block', () => {
  it('takes the header block as metadata, never as paragraphs, with offsets into the whole text', () => {
    const raw = `Title: Remarks on youth\nDate: 12 August 2019\nSource: notes.txt\n\n${BODY}`;
    const split = splitSpeech(raw);
    expect(split.frontMatter).toEqual({ title: 'Remarks on youth', date: '2019-08-12', source: 'notes.txt' });
    expect(split.paragraphs.map((p) => p.text)).toEqual([
      'First paragraph of the speech, a full sentence.',
      'Second paragraph, also a sentence.',
    ]);
    const first = split.paragraphs[0];
    expect(first && raw.slice(first.start, first.end)).toBe('First paragraph of the speech, a full sentence.');
  });

  it('lets header values win over the free-form front matter and keeps the detected rest', () => {
    const raw = speechPlainText(CLIMATE_KEYNOTE, { headerBlock: true });
    const split = splitSpeech(raw);
    expect(split.frontMatter).toEqual(CLIMATE_KEYNOTE.headerMeta);
    expect(split.paragraphs.map((p) => p.text)).toEqual(CLIMATE_KEYNOTE.paragraphs);
  });

  it('gives the same paragraphs with or without the header block', () => {
    for (const speech of [CLIMATE_KEYNOTE, ISLAND_STATEMENT]) {
      const plain = splitSpeech(speechPlainText(speech));
      const headed = splitSpeech(speechPlainText(speech, { headerBlock: true }));
      expect(plain.frontMatter).toEqual(speech.meta);
      expect(headed.frontMatter).toEqual(speech.headerMeta);
      expect(headed.paragraphs.map((p) => p.text)).toEqual(plain.paragraphs.map((p) => p.text));
      expect(plain.paragraphs.map((p) => p.text)).toEqual(speech.paragraphs);
    }
  });

  it('reads a text that is only a header block as metadata with no paragraphs', () => {
    expect(splitSpeech('Title: Nothing else\nDate: 2019-01-02\n')).toEqual({
      paragraphs: [],
      frontMatter: { title: 'Nothing else', date: '2019-01-02' },
      unreadable: {},
    });
  });

  it('reads "Speaker: Name, Role" lines in free-form front matter too', () => {
    const split = splitSpeech(`CLOSING REMARKS\nSpeaker: William Lacy Swing, IOM Director General\n\n${BODY}`);
    expect(split.frontMatter).toEqual({ title: 'Closing Remarks', speaker: 'William Lacy Swing', role: 'IOM Director General' });
    expect(split.paragraphs).toHaveLength(2);
  });

  it('treats Key: lines after the first block as text', () => {
    const split = splitSpeech(`Title: Remarks\n\nSource: a survey of 2019 shows that remittances grew again.\n\n${BODY}`);
    expect(split.frontMatter).toEqual({ title: 'Remarks' });
    expect(split.paragraphs[0]?.text).toBe('Source: a survey of 2019 shows that remittances grew again.');
  });
});
