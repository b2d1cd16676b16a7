// The express application: the chat page, the JSON API, and JSON errors for everything that fails.

import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../core/errors.ts';
import type { HealthReply, SpeechDocument, SpeechSummary } from '../core/http-api.ts';
import { isSpeechId } from '../core/speech-meta.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import type { QaService } from '../qa-service.ts';
import type { Refusal } from './connection-guard.ts';
import { httpErrorOf } from './error-response.ts';
import { isAllowedHost, STRICT_HOST_POLICY, type HostPolicy } from './host-policy.ts';
import { createSpeechRoutes } from './speech-routes.ts';

/** What {@link createApp} needs. */
export interface AppDeps {
  service: QaService;
  /** The built chat window (`client/dist`). */
  clientDir: string;
  /** The token write routes require; null disables them. */
  adminToken?: string | null;
  log?: Logger;
  /** Host names requests may name (against DNS rebinding); the strict policy by default. */
  hostPolicy?: HostPolicy;
  /** Serve `*.map` files of the chat page (off by default: they disclose the client's sources). */
  serveSourceMaps?: boolean;
  /** Whether the request's connection may be served: its refusal, `stopping` during shutdown, or undefined. */
  admission?: (req: Request) => Refusal | 'stopping' | undefined;
}

/** Builds the express app. It does not listen; see `startServer`. */
export function createApp(deps: AppDeps): express.Express {
  const log = deps.log ?? SILENT_LOGGER;
  const app = express();
  const hostPolicy = deps.hostPolicy ?? STRICT_HOST_POLICY;
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const admission = deps.admission?.(req);
    if (admission !== undefined) {
      res.setHeader('Connection', 'close');
      const refusal = admission === 'stopping' ? { error: new AppError('overloaded', 'the server is shutting down; try again shortly'), retryAfterSeconds: 5 } : admission;
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(refusal.retryAfterSeconds))));
      throw refusal.error;
    }
    if (!isAllowedHost(req.headers.host, hostPolicy)) {
      throw new AppError('bad_origin', `this server does not serve the host name ${JSON.stringify((req.headers.host ?? '').slice(0, 100))}; its administrator can add it to ALLOWED_HOSTS`);
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // 'self' covers the page's own ws:/wss: socket (CSP 3); no other host can be reached from the page.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    next();
  });

  app.get('/api/health', (_req, res) => {
    res.json(deps.service.status() satisfies HealthReply);
  });
  app.get('/api/speeches', (_req, res) => {
    res.json(deps.service.listSpeeches() satisfies SpeechSummary[]);
  });
  app.get('/api/speeches/:id', (req, res) => {
    res.json(deps.service.getSpeech(String(req.params.id)) satisfies SpeechDocument);
  });
  app.use(createSpeechRoutes({ service: deps.service, adminToken: deps.adminToken ?? null }));
  app.use('/api', (req) => {
    throw new AppError('not_found', `no API route ${req.method} ${req.path}`);
  });

  if (deps.serveSourceMaps !== true) {
    app.use((req, _res, next) => (req.path.endsWith('.map') ? next(new AppError('not_found', `nothing at ${req.path}`)) : next()));
  }
  app.use(express.static(deps.clientDir, { index: 'index.html', fallthrough: true }));
  // A permalink to a paragraph (`/speeches/<id>#p12`) is the chat page, which opens the speech viewer there.
  app.get('/speeches/:id', (req, res, next) => {
    if (!isSpeechId(String(req.params.id))) throw new AppError('not_found', `nothing at ${req.path}`);
    res.sendFile('index.html', { root: deps.clientDir }, (error?: Error) => {
      if (error) next(error);
    });
  });
  app.use((req) => {
    throw new AppError('not_found', `nothing at ${req.path}`);
  });

  // Express recognises error handlers by their four parameters.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = httpErrorOf(normaliseExpressError(error), log);
    res.status(status).json(body);
  });
  return app;
}

/** Errors raised by express itself (a malformed URL, a body parser) carry an HTTP status; map them to our codes. */
function normaliseExpressError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(status === 404 ? 'not_found' : 'bad_request', (error as Error).message ?? 'bad request');
  }
  return error;
}
