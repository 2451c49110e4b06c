import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfToken, isCsrfValid } from './csrf.js';
import { CookieSealer } from './sealed-cookie.js';

const secret = randomBytes(32).toString('base64url');
const now = new Date('2026-05-01T10:00:00Z');
const later = new Date('2026-05-01T11:00:00Z');

describe('CookieSealer', () => {
  it('round-trips a payload and hides its contents', async () => {
    const s = new CookieSealer(secret, 'session');
    const sealed = await s.seal({ uid: 'u1', at: 'token-value' }, now, later);
    expect(sealed).not.toContain('token-value');
    expect(await s.open(sealed, now)).toEqual({ uid: 'u1', at: 'token-value' });
  });

  it('refuses expired, tampered, foreign-key and other-purpose values', async () => {
    const s = new CookieSealer(secret, 'session');
    const sealed = await s.seal({ uid: 'u1' }, now, later);
    expect(await s.open(sealed, new Date('2026-05-01T12:00:00Z'))).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await s.open(parts.join('.'), now)).toBeUndefined();
    expect(await new CookieSealer(randomBytes(32).toString('base64url'), 'session').open(sealed, now)).toBeUndefined();
    expect(await new CookieSealer(secret, 'sign-in').open(sealed, now)).toBeUndefined();
    expect(await s.open(undefined, now)).toBeUndefined();
    expect(await s.open('not a jwe', now)).toBeUndefined();
  });
});

describe('CSRF tokens', () => {
  it('are bound to the session', () => {
    const t = csrfToken('secret', 'sid-1');
    expect(isCsrfValid('secret', 'sid-1', t)).toBe(true);
    expect(isCsrfValid('secret', 'sid-2', t)).toBe(false);
    expect(isCsrfValid('other', 'sid-1', t)).toBe(false);
    expect(isCsrfValid('secret', 'sid-1', undefined)).toBe(false);
  });
});
