// A stand-in model hub on a loopback port, serving a model folder under the Hugging Face URL layout,
// so the real download-and-cache path of transformers.js can be tested without the network.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';

/** A running stand-in hub. */
export interface StandInHub {
  /** The `remoteHost` to give the loader, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** Every file requested, in order. */
  served: string[];
  close(): Promise<void>;
}

/** Serves `modelDir` as the hub repository `repoId` (files at `/<repoId>/resolve/main/<file>`). */
export async function startStandInHub(options: { repoId: string; modelDir: string }): Promise<StandInHub> {
  const prefix = `/${options.repoId}/resolve/main/`;
  const served: string[] = [];
  const hub = http.createServer((request, response) => {
    const url = decodeURIComponent(request.url ?? '');
    // The Hub's model API, which `npm run model:fetch` asks to see whether the Hub answers.
    if (url === `/api/models/${options.repoId}`) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const file = url.startsWith(prefix) ? url.slice(prefix.length) : '';
    served.push(file);
    readFile(path.join(options.modelDir, path.normalize(file).replace(/^(\.\.(\/|\\|$))+/, ''))).then(
      (body) => response.writeHead(200, { 'content-length': body.length }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  const { port } = hub.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    served,
    close: () => new Promise<void>((resolve) => hub.close(() => resolve())),
  };
}
