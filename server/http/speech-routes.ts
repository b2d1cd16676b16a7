// The write routes of the speech API, all behind the admin token: add a speech (a multipart file, JSON text or a
// JSON web address, optionally as a dry run for review), edit its metadata, remove it.

import express, { type Request, type RequestHandler } from 'express';
import { AppError } from '../core/errors.ts';
import type { AddSpeechReply, EditSpeechReply } from '../core/http-api.ts';
import { MAX_SPEECH_FILE_BYTES, parseWebAddress } from '../core/source-formats.ts';
import { parseMetaFields } from '../core/speech-input.ts';
import { MAX_META_FIELD_CHARS, META_FIELDS } from '../core/speech-meta.ts';
import type { AddSpeechInput, AddSpeechResult, QaService } from '../qa-service.ts';
import { requireAdmin } from './admin-auth.ts';
import { readSpeechUpload } from './speech-upload.ts';

/** What {@link createSpeechRoutes} needs. */
export interface SpeechRoutesDeps {
  service: QaService;
  /** The configured ADMIN_TOKEN; null disables every write route (403). */
  adminToken: string | null;
}

/** Room for the multipart or JSON framing around a speech of the largest size. */
const BODY_OVERHEAD_BYTES = 1024 * 1024;
/** Largest body of a metadata edit. */
const MAX_PATCH_BYTES = 16 * 1024;

/** `?dryRun=1` (or `true`) asks for a review without writing; absent, `0` or `false` writes. */
function dryRunOf(value: unknown): boolean {
  if (value === undefined) return false;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new AppError('bad_request', 'dryRun: expected 1 or 0');
}

/** Parses a JSON body with `limit`, mapping the body parser's errors to ours. */
function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit, strict: true });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      const type = (error as { type?: unknown }).type;
      next(
        type === 'entity.too.large'
          ? new AppError('too_large', `the request body is larger than ${Math.round(limit / 1024)} kB`)
          : new AppError('bad_request', 'the request body is not valid JSON'),
      );
    });
}

/**
 * The explicit metadata of an add. A field sent empty wins over what the text says (it clears a wrongly detected
 * value; a required one is then refused as missing); a field left out keeps what is detected.
 */
const addMeta = (fields: unknown) => parseMetaFields(fields, { keepEmpty: true });

/** The add input from a JSON body `{url, title?, …}`: the address is checked here, fetched by the service. */
function addressInput(url: unknown, fields: Record<string, unknown>): Omit<AddSpeechInput, 'dryRun'> {
  if (typeof url !== 'string') throw new AppError('bad_request', 'url: must be the web address as a string');
  return { source: { url: parseWebAddress(url).href }, meta: addMeta(fields) };
}

/** The add input from a JSON body `{text, fileName?, title?, speaker?, …}` or `{url, title?, …}`. */
function jsonInput(body: unknown): Omit<AddSpeechInput, 'dryRun'> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('bad_request', 'send a JSON object {text, title, …} or {url, title, …}');
  const { text, fileName, url, ...fields } = body as Record<string, unknown>;
  if (url !== undefined) {
    if (text !== undefined || fileName !== undefined) throw new AppError('bad_request', 'send either a url or a text, not both');
    return addressInput(url, fields);
  }
  if (typeof text !== 'string') throw new AppError('bad_request', 'text: must be the speech text as a string (or send url: a web address)');
  if (fileName !== undefined && (typeof fileName !== 'string' || fileName.length > MAX_META_FIELD_CHARS)) {
    throw new AppError('bad_request', `fileName: must be a string of at most ${MAX_META_FIELD_CHARS} characters`);
  }
  return { source: { text, fileName }, meta: addMeta(fields) };
}

async function multipartInput(req: Request): Promise<Omit<AddSpeechInput, 'dryRun'>> {
  const upload = await readSpeechUpload(req, { maxFileBytes: MAX_SPEECH_FILE_BYTES, maxFieldBytes: 4 * MAX_META_FIELD_CHARS, maxFields: 2 * META_FIELDS.length });
  if (upload.file === null) throw new AppError('bad_request', 'file: the speech file is missing; send it as the "file" field');
  return { source: upload.file, meta: addMeta(upload.fields) };
}

/** The body of a successful add: the dry run also says which required fields are still missing, and why. */
function addReply(result: AddSpeechResult): AddSpeechReply {
  const { speech, detected, format } = result;
  return result.dryRun ? { speech, detected, format, dryRun: true, missing: result.missing, unreadable: result.unreadable } : { speech, detected, format };
}

/** Builds the router of `POST /api/speeches`, `PATCH /api/speeches/:id` and `DELETE /api/speeches/:id`. */
export function createSpeechRoutes(deps: SpeechRoutesDeps): express.Router {
  const { service } = deps;
  const router = express.Router();
  const admin = requireAdmin(deps.adminToken);

  const addBody = jsonBody(MAX_SPEECH_FILE_BYTES + BODY_OVERHEAD_BYTES);
  router.post('/api/speeches', admin, (req, res, next) => (req.is('application/json') ? addBody(req, res, next) : next()), async (req, res) => {
    const dryRun = dryRunOf(req.query.dryRun);
    let input: Omit<AddSpeechInput, 'dryRun'>;
    if (req.is('multipart/form-data')) {
      // A body that cannot hold an acceptable file is refused before it is read.
      if (Number(req.get('content-length') ?? 0) > MAX_SPEECH_FILE_BYTES + BODY_OVERHEAD_BYTES) {
        res.setHeader('Connection', 'close');
        throw new AppError('too_large', `the file is larger than ${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB`);
      }
      input = await multipartInput(req);
    } else if (req.is('application/json')) {
      input = jsonInput(req.body);
    } else {
      throw new AppError('bad_request', 'send the speech as multipart/form-data (a "file" field), as JSON {text, title, …}, or its address as JSON {url, title, …}');
    }
    const result = await service.addSpeech({ ...input, dryRun });
    res.status(dryRun ? 200 : 201).json(addReply(result));
  });

  router.patch('/api/speeches/:id', admin, jsonBody(MAX_PATCH_BYTES), async (req, res) => {
    if (req.body === undefined) throw new AppError('bad_request', 'send the fields to change as a JSON object');
    const speech = await service.updateSpeechMeta(String(req.params.id), parseMetaFields(req.body, { keepEmpty: true }));
    res.json({ speech } satisfies EditSpeechReply);
  });

  router.delete('/api/speeches/:id', admin, async (req, res) => {
    await service.removeSpeech(String(req.params.id));
    res.status(204).end();
  });
  return router;
}
