/**
 * Encrypted, authenticated cookie values: a JWT encrypted with AES-256-GCM under a key held in
 * the database (`dir` key management, so no key wrapping per cookie), with an expiry. Anything
 * tampered with, expired or sealed under another key opens as `undefined`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516 (JWE)
 */
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

/** Seals and opens one kind of cookie value. */
export class CookieSealer {
  private readonly key: Uint8Array;

  /** `secret` is 32 random bytes, base64url-encoded. `purpose` keeps one kind of cookie from being accepted as another. */
  constructor(secret: string, private readonly purpose: string) {
    const key = Buffer.from(secret, 'base64url');
    if (key.length !== 32) throw new Error('a cookie key must be 32 bytes');
    this.key = new Uint8Array(key);
  }

  /** Seals `payload` until `expiresAt`. */
  async seal(payload: object, now: Date, expiresAt: Date): Promise<string> {
    return new EncryptJWT({ ...payload } as JWTPayload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience(this.purpose)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .encrypt(this.key);
  }

  /** Opens a sealed value; undefined when it is missing, tampered with, expired or not ours. */
  async open<T>(value: string | undefined, now: Date): Promise<T | undefined> {
    if (!value || value.length > 8192) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, this.key, { audience: this.purpose, currentDate: now, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      const { aud: _a, iat: _i, exp: _e, ...rest } = payload;
      return rest as T;
    } catch {
      return undefined;
    }
  }
}
