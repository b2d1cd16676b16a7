// Who may talk to this server from a browser: the `Host` a request names (against DNS rebinding) and the `Origin`
// of a page opening the chat socket. Pure checks over request headers.

import { isIP } from 'node:net';

/** The configured exceptions (`ALLOWED_HOSTS`, `ALLOWED_ORIGINS`). */
export interface HostPolicy {
  /** Origins besides the server's own whose pages may open the chat socket, e.g. `https://intranet.example.org`. */
  allowedOrigins: readonly string[];
  /** Host names requests may name besides IP addresses and `localhost`, lowercase, without port. */
  allowedHosts: readonly string[];
}

/** The policy with no exceptions: IP addresses, `localhost`, and the server's own pages only. */
export const STRICT_HOST_POLICY: HostPolicy = { allowedOrigins: [], allowedHosts: [] };

/** The host name of a `Host` header (`[::1]:3000` → `::1`, `Chat.Example.org:80` → `chat.example.org`). */
function hostNameOf(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  return host.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * True when a request naming `hostHeader` may be served: an IP address (a page that rebinds its own name to this
 * server still sends its name, never an address), `localhost`, or a configured name.
 */
export function isAllowedHost(hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (hostHeader === undefined || hostHeader.trim() === '') return false;
  const name = hostNameOf(hostHeader);
  return isIP(name) !== 0 || name === 'localhost' || policy.allowedHosts.includes(name);
}

/**
 * True when a page of `originHeader` may open the chat socket: a page served by this very host (the Origin's
 * host and port are the request's `Host`), or a configured origin. No Origin at all is a program, not a page.
 */
export function isAllowedOrigin(originHeader: string | undefined, hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (originHeader === undefined) return true;
  let origin: URL;
  try {
    origin = new URL(originHeader);
  } catch {
    // `null` (a sandboxed frame, a file) and anything malformed.
    return false;
  }
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') return false;
  if (policy.allowedOrigins.includes(origin.origin)) return true;
  return hostHeader !== undefined && origin.host === hostHeader.trim().toLowerCase();
}
