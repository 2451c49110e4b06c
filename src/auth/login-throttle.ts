/**
 * Failed sign-in throttling per (username, client IP). After `maxFailures` failures within
 * `windowSeconds` of the first, further attempts for that pair are refused (HTTP 429) until the
 * window ends — without checking the password, so guessing stays slow. The counters live in the
 * database, so every app node sees the same count: an attacker spreading attempts over nodes
 * behind a load balancer gains nothing. (An in-memory window would multiply the limit by the
 * number of nodes.) Keyed per IP so that one attacker cannot lock a user out everywhere.
 */
import type { AuthStore } from '../store/auth-store.js';

/** Throttling settings. */
export interface LoginThrottleOptions {
  maxFailures: number;
  windowSeconds: number;
  now?: () => Date;
}

/** The verdict before checking a password. */
export type ThrottleVerdict = { isAllowed: true } | { isAllowed: false; retryAfterSeconds: number };

/** Limits repeated failed sign-ins. */
export class LoginThrottle {
  private readonly now: () => Date;

  constructor(private readonly store: AuthStore, private readonly opts: LoginThrottleOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Whether (username, ip) may try now. */
  async check(username: string, ip: string): Promise<ThrottleVerdict> {
    const f = await this.store.getLoginFailures(key(username), ip);
    if (!f || f.failures < this.opts.maxFailures) return { isAllowed: true };
    const endsAt = f.windowStartedAt.getTime() + this.opts.windowSeconds * 1000;
    const remaining = Math.ceil((endsAt - this.now().getTime()) / 1000);
    return remaining > 0 ? { isAllowed: false, retryAfterSeconds: remaining } : { isAllowed: true };
  }

  /** Counts a failure. */
  async recordFailure(username: string, ip: string): Promise<void> {
    await this.store.recordLoginFailure(key(username), ip, this.now(), this.opts.windowSeconds);
  }

  /** Clears the count after a successful sign-in. */
  async recordSuccess(username: string, ip: string): Promise<void> {
    await this.store.clearLoginFailures(key(username), ip);
  }
}

/** Usernames are case-insensitive; unknown usernames are throttled the same way as real ones. */
function key(username: string): string {
  return username.trim().toLowerCase().slice(0, 200);
}
