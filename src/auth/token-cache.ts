/**
 * Remembers verified access tokens for a short while, so a client making many requests with one
 * token pays for the signature check once. Only successes are kept, never longer than the
 * token's own expiry, and the cache is bounded; it is a cache of a pure function of the token,
 * so it holds no state another node would need.
 */
import type { Principal } from './principal.js';
import type { VerifyAccessToken } from './verify-token.js';

/** Options of the cache. */
export interface TokenCacheOptions {
  /** Most tokens kept (oldest dropped first). */
  max?: number;
  /** Longest a verification is reused, in ms (a revoked signing key takes effect within it). */
  ttlMs?: number;
  now?: () => number;
}

/** Wraps `verify` with a bounded cache keyed by the token text. */
export function cachingVerifier(verify: VerifyAccessToken, opts: TokenCacheOptions = {}): VerifyAccessToken {
  const max = opts.max ?? 10_000;
  const ttl = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { principal: Principal; until: number }>();
  return async (token) => {
    const t = now();
    const hit = cache.get(token);
    if (hit) {
      if (hit.until > t) return hit.principal;
      cache.delete(token);
    }
    const principal = await verify(token);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(token, { principal, until: Math.min(t + ttl, principal.expiresAt.getTime()) });
    return principal;
  };
}
