// The worker thread that reads one speech file (uploaded, or fetched from its address): extracts its text, splits it into paragraphs and
// fingerprints it, away from the thread that answers questions. Started, limited and ended by
// extraction-sandbox.ts; one file per worker, so that all its memory goes with it.

import { parentPort } from 'node:worker_threads';
import { AppError, toAppError } from '../core/errors.ts';
import { splitSpeech } from '../core/paragraphs.ts';
import { fingerprintSpeech } from '../core/speech-fingerprint.ts';
import type { ExtractionJob, WorkerReply } from './extraction-sandbox.ts';
import { extractSpeechText } from './speech-extraction.ts';

const port = parentPort;
if (port === null) throw new Error('extraction-worker.ts runs as a worker thread only');

async function read(job: ExtractionJob): Promise<WorkerReply> {
  try {
    const { text, format } = await extractSpeechText({ ...job, bytes: new Uint8Array(job.bytes) }, job.bounds);
    const { paragraphs, frontMatter, unreadable } = splitSpeech(text);
    if (paragraphs.length > job.bounds.maxParagraphs) {
      throw new AppError('too_large', `the speech has ${paragraphs.length} paragraphs, more than the ${job.bounds.maxParagraphs} accepted`);
    }
    return { type: 'done', speech: { text, format, paragraphs, frontMatter, unreadable, fingerprint: fingerprintSpeech(paragraphs) } };
  } catch (error) {
    const appError = toAppError(error);
    return { type: 'failed', code: appError.code, message: appError.message };
  }
}

port.once('message', (job: ExtractionJob) => {
  void read(job).then((reply) => port.postMessage(reply));
});

// The libraries were loaded before this module (see extraction-sandbox.ts): ready for a file at once.
port.postMessage({ type: 'ready' } satisfies WorkerReply);
