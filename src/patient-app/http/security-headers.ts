/**
 * Headers for every patient app page: no caching of personal data, a strict Content Security
 * Policy (scripts only from Tessera, plus the design system's one-line inline script by nonce),
 * no framing, no MIME sniffing, no referrer.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP
 */

/** Headers for an HTML page rendered with `nonce`. */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}
