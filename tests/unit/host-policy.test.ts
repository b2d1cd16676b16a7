// Unit tests of the Host and Origin checks: IP addresses and localhost always, names only when configured; pages
// of the server's own host and configured origins only; no Origin (a program) accepted.

import { describe, expect, it } from 'vitest';
import { isAllowedHost, isAllowedOrigin, STRICT_HOST_POLICY } from '../../server/http/host-policy.ts';

const CONFIGURED = { allowedOrigins: ['https://intranet.example.org'], allowedHosts: ['chat.example.org'] };

describe('isAllowedHost', () => {
  it('accepts IP addresses (v4, v6) and localhost, with or without a port', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:3000', '10.1.2.3:80', '[::1]:3000', '[::1]', 'localhost', 'LOCALHOST:3000', 'localhost.']) {
      expect(isAllowedHost(host, STRICT_HOST_POLICY), host).toBe(true);
    }
  });

  it('refuses other names unless configured, and refuses a missing Host', () => {
    for (const host of ['evil.example', 'evil.example:3000', 'chat.example.org', '127.0.0.1.evil.example', 'localhost.evil.example', '', undefined]) {
      expect(isAllowedHost(host, STRICT_HOST_POLICY), String(host)).toBe(false);
    }
    expect(isAllowedHost('Chat.Example.org:443', CONFIGURED)).toBe(true);
    expect(isAllowedHost('sub.chat.example.org', CONFIGURED)).toBe(false);
  });
});

describe('isAllowedOrigin', () => {
  it('accepts a page of the host the request names, whatever its scheme (behind a TLS proxy)', () => {
    expect(isAllowedOrigin('http://127.0.0.1:3000', '127.0.0.1:3000', STRICT_HOST_POLICY)).toBe(true);
    expect(isAllowedOrigin('https://chat.example.org', 'chat.example.org', STRICT_HOST_POLICY)).toBe(true);
    expect(isAllowedOrigin('http://localhost:3000', 'LOCALHOST:3000', STRICT_HOST_POLICY)).toBe(true);
  });

  it('refuses pages of another host or port, opaque and non-web origins', () => {
    for (const origin of ['http://127.0.0.1:3001', 'http://localhost:3000', 'https://evil.example', 'null', 'file://', 'chrome-extension://abcdef', 'not a url']) {
      expect(isAllowedOrigin(origin, '127.0.0.1:3000', STRICT_HOST_POLICY), origin).toBe(false);
    }
  });

  it('accepts configured origins, and a request without Origin (not a browser page)', () => {
    expect(isAllowedOrigin('https://intranet.example.org', '127.0.0.1:3000', CONFIGURED)).toBe(true);
    expect(isAllowedOrigin('https://intranet.example.org:8443', '127.0.0.1:3000', CONFIGURED)).toBe(false);
    expect(isAllowedOrigin(undefined, '127.0.0.1:3000', STRICT_HOST_POLICY)).toBe(true);
  });
});
