// Reads a multipart/form-data upload of a speech: one `file` part plus short text fields, with size limits.
// Files are kept in memory (at most the speech size limit); nothing is written to disk here.

import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { AppError } from '../core/errors.ts';

/** An uploaded speech: its file (name and bytes) and its text fields. */
export interface SpeechUpload {
  file: { fileName: string; bytes: Uint8Array } | null;
  fields: Record<string, string>;
}

/** Limits of {@link readSpeechUpload}. */
export interface UploadLimits {
  /** Largest file accepted; larger ones fail with `too_large`. */
  maxFileBytes: number;
  /** Largest text field accepted. */
  maxFieldBytes: number;
  /** Most text fields accepted. */
  maxFields: number;
}

/** A field name as shown in messages: short, and there even when the part had none. */
const shown = (name: string | undefined): string => (name ?? '').slice(0, 40);

/**
 * Parses the request body. The whole body is read even after a limit is hit, so the client receives the error.
 * @throws AppError `bad_request` for a malformed body, a second file or an unexpected part, `too_large` for a
 *   file over the limit.
 */
export function readSpeechUpload(req: IncomingMessage, limits: UploadLimits): Promise<SpeechUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: limits.maxFileBytes, fields: limits.maxFields, fieldSize: limits.maxFieldBytes, parts: limits.maxFields + 1 },
      });
    } catch (error) {
      reject(new AppError('bad_request', `not a multipart/form-data body (${(error as Error).message})`));
      return;
    }
    const upload: SpeechUpload = { file: null, fields: {} };
    let failure: AppError | null = null;
    const fail = (error: AppError) => {
      failure ??= error;
    };

    parser.on('file', (name: string | undefined, stream, info) => {
      // A body cut off inside a file fails the file's stream as well as the parser; the parser's error answers it,
      // and an unheard error here would bring the whole process down.
      stream.on('error', () => {});
      if (name !== 'file') {
        fail(new AppError('bad_request', `unexpected file field "${shown(name)}"; send the speech as the "file" field`));
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (failure === null) chunks.push(chunk);
      });
      stream.on('limit', () => fail(new AppError('too_large', `the file is larger than ${Math.round(limits.maxFileBytes / 1024 / 1024)} MB`)));
      stream.on('end', () => {
        upload.file = { fileName: info.filename ?? '', bytes: Buffer.concat(chunks) };
      });
    });
    parser.on('field', (name: string | undefined, value, info) => {
      if (name === undefined) fail(new AppError('bad_request', 'a form field without a name'));
      else if (info.nameTruncated || info.valueTruncated) fail(new AppError('bad_request', `field "${shown(name)}" is too long`));
      else if (Object.hasOwn(upload.fields, name)) fail(new AppError('bad_request', `field "${shown(name)}" is sent twice`));
      else upload.fields[name] = value;
    });
    parser.on('filesLimit', () => fail(new AppError('bad_request', 'send one file per request')));
    parser.on('fieldsLimit', () => fail(new AppError('bad_request', `more than ${limits.maxFields} fields`)));
    parser.on('partsLimit', () => fail(new AppError('bad_request', `more than ${limits.maxFields + 1} parts`)));
    parser.on('error', (error: Error) => {
      req.unpipe(parser);
      req.resume();
      reject(new AppError('bad_request', `malformed multipart body (${error.message})`));
    });
    parser.on('close', () => (failure === null ? resolve(upload) : reject(failure)));
    req.pipe(parser);
  });
}
