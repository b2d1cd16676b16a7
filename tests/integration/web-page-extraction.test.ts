// Reading a web page as a speech (Readability on linkedom): the speech of saved IDM-like pages without their
// navigation, sidebars and footers, its metadata from the page, other charsets, and pages refused.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSpeechText } from '../../server/adapters/speech-extraction.ts';
import { AppError, type ErrorCode } from '../../server/core/errors.ts';
import { splitSpeech } from '../../server/core/paragraphs.ts';
import { CLOSING_REMARKS, LABOUR_STATEMENT, WEB_PAGES_DIR, type SavedPage } from '../fixtures/web-pages.ts';

async function readPage(page: SavedPage) {
  const bytes = await readFile(path.join(WEB_PAGES_DIR, page.file));
  const { text, format } = await extractSpeechText({ fileName: page.file, bytes });
  return { text, format, ...splitSpeech(text) };
}

async function refusal(fileName: string, html: string | Uint8Array, code: ErrorCode): Promise<string> {
  const bytes = typeof html === 'string' ? Buffer.from(html) : html;
  const error: unknown = await extractSpeechText({ fileName, bytes }).then(() => expect.unreachable(`${fileName} should have been refused`), (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return (error as AppError).message;
}

describe('a web page as a speech', () => {
  it.each([LABOUR_STATEMENT, CLOSING_REMARKS])('reads $file: the speech only, with its metadata', async (page) => {
    const { format, paragraphs, frontMatter } = await readPage(page);
    expect(format).toBe('html');
    expect(frontMatter).toEqual(page.meta);
    expect(paragraphs).toHaveLength(page.paragraphs);
    expect(paragraphs[0]?.text.startsWith(page.first)).toBe(true);
    expect(paragraphs.at(-1)?.text.startsWith(page.last)).toBe(true);
    for (const paragraph of paragraphs) {
      for (const words of page.boilerplate) expect(paragraph.text, `paragraph ${paragraph.n}`).not.toContain(words);
      // The salutation and the dateline are not paragraphs.
      expect(paragraph.text).not.toMatch(/^(Excellencies|Ladies and gentlemen),/);
    }
  });

  it('heads the text with what the page says about itself, keeping the text as the page shows it', async () => {
    const { text, paragraphs } = await readPage(LABOUR_STATEMENT);
    expect(text.startsWith('Title: Statement on Labour Mobility and Decent Work\n\n')).toBe(true);
    // The speaker, event and dateline sit above the body, outside what Readability keeps: they are found there.
    expect(text).toContain('\n\nSpeaker: Miriam Okonkwo-Lindqvist, IOM Director of Labour Mobility\n\nInternational Dialogue on Migration 2021, second session\n\nGeneva, 18 May 2021\n\n');
    for (const paragraph of paragraphs) expect(text.slice(paragraph.start, paragraph.end).replace(/\s+/g, ' ')).toBe(paragraph.text);
  });

  it('takes the date and the speaker from <meta> when the text has none, and reads a declared charset', async () => {
    const body = '<p>Distinguished guests, allow me to begin with a word of thanks to the host country for its generous welcome to this café of ideas.</p>'.repeat(3);
    const html = `<html><head><meta charset="windows-1252"><title>Welcome address | Host City Forum</title><meta property="og:site_name" content="Host City Forum"><meta name="author" content="Lea Brun"><meta property="article:published_time" content="2015-11-23T18:00:00-05:00"></head><body><article>${body}</article></body></html>`;
    const bytes = Buffer.from(html, 'latin1');
    const { text } = await extractSpeechText({ fileName: 'welcome.html', bytes });
    const { frontMatter, paragraphs } = splitSpeech(text);
    expect(frontMatter).toMatchObject({ title: 'Welcome address', speaker: 'Lea Brun', date: '2015-11-23' });
    expect(paragraphs[0]?.text).toContain('café of ideas');
    // The charset a server declares wins over the page's own.
    const served = await extractSpeechText({ fileName: 'https://example.org/welcome', bytes: Buffer.from(html.replace('windows-1252', 'utf-8'), 'latin1'), format: 'html', charset: 'iso-8859-1' });
    expect(served.text).toContain('café of ideas');
  });

  it('refuses a page without text, and a PDF or zip named .html', async () => {
    expect(await refusal('menu.html', '<html><body><nav><a href="/">Home</a></nav><script>var x = 1;</script></body></html>', 'unreadable')).toContain('no speech text');
    expect(await refusal('empty.html', '   ', 'unreadable')).toContain('no speech text');
    expect(await refusal('speech.html', Buffer.from('%PDF-1.7\n%%EOF'), 'unsupported_type')).toContain('a PDF, not a web page');
  });

  it('refuses, before searching them, pages of too many elements or nested too deep', async () => {
    const started = performance.now();
    expect(await refusal('huge.html', `<html><body>${'<span>a</span>'.repeat(35_000)}</body></html>`, 'too_large')).toContain('more than 30000 elements');
    const deep = `<html><body>${'<div>'.repeat(20_000)}<p>${'Deep text of a speech. '.repeat(30)}</p>${'</div>'.repeat(20_000)}</body></html>`;
    expect(await refusal('deep.html', deep, 'too_large')).toContain('nested more than 400 elements deep');
    // Searching them would take Readability tens of seconds.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
