// Distinct loopback source addresses, so that load clients stand in for distinct machines (per-address limits apply
// to each as they would to users on their own machines).

/**
 * The source address of client `index` in `block` (0–255), when `url`'s host is on 127/8 and the platform routes
 * all of 127/8 to loopback (Linux); null otherwise (clients then share one address).
 */
export function loopbackSourceAddress(url: string, block: number, index: number): string | null {
  const host = new URL(url).hostname;
  if (process.platform !== 'linux' || !/^127\./.test(host)) return null;
  // 250 clients per third octet, so that no address ends in 0 or 255.
  return `127.${block}.${Math.floor(index / 250)}.${1 + (index % 250)}`;
}
