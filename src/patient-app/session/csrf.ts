/**
 * CSRF tokens bound to the session: an HMAC of the session id under a server secret. A form
 * posted without the token of the session that sent it is refused. SameSite=Lax cookies are
 * the first line; this is the second.
 *
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The CSRF token for session `sid`. */
export function csrfToken(secret: string, sid: string): string {
  return createHmac('sha256', secret).update(`tessera-patient-csrf:${sid}`).digest('base64url');
}

/** True when `submitted` is the token of session `sid`. */
export function isCsrfValid(secret: string, sid: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(csrfToken(secret, sid));
  const got = Buffer.from(submitted);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
