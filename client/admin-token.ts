// The admin token for write requests: kept in this tab's sessionStorage only, never in localStorage or cookies.

const STORAGE_KEY = 'idm-admin-token';

/** The session's storage, or null where the browser refuses it (some private modes throw on access). */
function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The token saved in this tab, or `''`. */
export function readAdminToken(): string {
  try {
    return storage()?.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Keeps `token` for this tab until it closes; an empty token forgets it. */
export function saveAdminToken(token: string): void {
  const trimmed = token.trim();
  try {
    if (trimmed === '') storage()?.removeItem(STORAGE_KEY);
    else storage()?.setItem(STORAGE_KEY, trimmed);
  } catch {
    // A full or disabled storage only means the token must be typed again next time.
  }
}

/** Removes the saved token. */
export function forgetAdminToken(): void {
  saveAdminToken('');
}
