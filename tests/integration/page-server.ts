// A small web server of the tests' own, on 127.0.0.1 and a free port, serving saved speech pages, a PDF and a Word
// document, redirects (to itself, in a loop, and to private addresses that must never be fetched), pages too large
// and a page too slow. The tests of adding by address fetch from it only: nothing leaves this machine.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { CLOSING_REMARKS, LABOUR_STATEMENT, WEB_PAGES_DIR } from '../fixtures/web-pages.ts';

/** Where each document of the page server is. */
export const PAGE_PATHS = {
  /** The statement page, with its site's navigation, banner, newsletter box and footer. */
  statement: '/speeches/statement-labour-mobility-decent-work',
  /** The closing remarks in the middle of a three-column layout, sent gzip-compressed. */
  remarks: '/archive/2017/idm-closing-remarks.html',
  /** 302 to the statement. */
  redirect: '/go/labour-statement',
  /** The keynote PDF, as application/pdf. */
  pdf: '/documents/climate-keynote.pdf',
  /** The same PDF as application/octet-stream from an address without an extension: told by its bytes. */
  download: '/download?document=4711',
  /** The island statement as a Word document. */
  docx: '/documents/island-statement.docx',
  /** A page of 2 MB that says so in its Content-Length. */
  huge: '/huge-page',
  /** A page of 2 MB sent in chunks, without a Content-Length. */
  hugeChunked: '/huge-page-chunked',
  /** Redirects to itself with a counter, forever. */
  loop: '/loop/0',
  /** 302 to a private address (10.0.0.1). */
  toPrivate: '/moved-inside',
  /** 301 to the cloud metadata address (169.254.169.254). */
  toMetadata: '/moved-metadata',
  /** Sends its headers, then nothing. */
  slow: '/slow',
  /** An image. */
  image: '/logo.png',
} as const;

/** The page server: its base address, the paths it was asked for, and how to stop it. */
export interface PageServer {
  url: string;
  /** The full address of a path, e.g. `pageServer.at(PAGE_PATHS.statement)`. */
  at(pathname: string): string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

const HUGE_BYTES = 2 * 1024 * 1024;

const hugePage = (): Buffer => Buffer.from(`<html><body><article>${'<p>A paragraph of a page far too long to be a speech.</p>\n'.repeat(Math.ceil(HUGE_BYTES / 56))}</article></body></html>`);

/** Starts the page server; `pdf` and `docx` are the bytes of the documents it serves. */
export async function startPageServer(documents: { pdf: Uint8Array; docx: Uint8Array }): Promise<PageServer> {
  const statement = await readFile(path.join(WEB_PAGES_DIR, LABOUR_STATEMENT.file));
  const remarks = zlib.gzipSync(await readFile(path.join(WEB_PAGES_DIR, CLOSING_REMARKS.file)));
  const requests: string[] = [];
  const open = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    open.add(res);
    res.once('close', () => open.delete(res));
    const send = (status: number, headers: http.OutgoingHttpHeaders, body?: Uint8Array | string) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    const loop = /^\/loop\/(\d+)$/.exec(url);
    if (loop !== null) return send(302, { location: `/loop/${Number(loop[1]) + 1}` });
    switch (url) {
      case PAGE_PATHS.statement:
        return send(200, { 'content-type': 'text/html; charset=utf-8' }, statement);
      case PAGE_PATHS.remarks:
        return send(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }, remarks);
      case PAGE_PATHS.redirect:
        return send(302, { location: PAGE_PATHS.statement });
      case PAGE_PATHS.pdf:
        return send(200, { 'content-type': 'application/pdf' }, documents.pdf);
      case PAGE_PATHS.download:
        return send(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' }, documents.pdf);
      case PAGE_PATHS.docx:
        return send(200, { 'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }, documents.docx);
      case PAGE_PATHS.huge:
        return send(200, { 'content-type': 'text/html' }, hugePage());
      case PAGE_PATHS.hugeChunked: {
        res.writeHead(200, { 'content-type': 'text/html' });
        const page = hugePage();
        // In pieces, so that no Content-Length tells the size in advance.
        for (let at = 0; at < page.length; at += 64 * 1024) res.write(page.subarray(at, at + 64 * 1024));
        return res.end();
      }
      case PAGE_PATHS.toPrivate:
        return send(302, { location: 'http://10.0.0.1/speeches/internal-draft' });
      case PAGE_PATHS.toMetadata:
        return send(301, { location: 'http://169.254.169.254/latest/meta-data/' });
      case PAGE_PATHS.slow:
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.write('<html><body><p>The beginning of a page that never ends');
      case PAGE_PATHS.image:
        return send(200, { 'content-type': 'image/png' }, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
      default:
        return send(404, { 'content-type': 'text/plain' }, 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    at: (pathname) => `${url}${pathname}`,
    requests,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
