// The admin token that guards write routes: absent means writes are disabled (403), otherwise every write
// request must carry `Authorization: Bearer <token>` (401 without it), compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../core/errors.ts';

/** True when `given` equals `expected`; takes the same time wherever they differ, and whatever their lengths. */
export function tokensMatch(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so the comparison leaks neither content nor length.
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Middleware that lets a request through only with the admin token.
 * @param adminToken the configured `ADMIN_TOKEN`, or null when writes are disabled.
 */
export function requireAdmin(adminToken: string | null): RequestHandler {
  return (req, res, next) => {
    if (adminToken === null) {
      throw new AppError(
        'forbidden',
        'adding, editing and removing speeches is disabled on this server; to enable it, start the server with ADMIN_TOKEN set to a secret of at least 16 characters, and send that secret as "Authorization: Bearer <token>"',
      );
    }
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    if (match === null || !tokensMatch(match[1] ?? '', adminToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="idm-speeches"');
      throw new AppError('unauthorized', match === null ? 'this request needs the admin token: send "Authorization: Bearer <token>"' : 'the admin token is wrong');
    }
    next();
  };
}
