/**
 * Mints an access token directly with the shared keys, in the same RFC 9068 shape as the tokens
 * oidc-provider issues, for scripts and tests (`tessera token`). Never reachable over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';

/** Something that can hand out the active signing key (a `KeyRing`, or a single JWK). */
export interface TokenSigner {
  signingKey(alg: 'ES256'): Promise<{ kid: string; alg: string; key: CryptoKey | KeyObject | Uint8Array }>;
}

/** A signer over one private JWK (e.g. from the CLI credentials file). */
export function jwkSigner(jwk: JWK): TokenSigner {
  return {
    async signingKey() {
      if (!jwk.kid || jwk.alg !== 'ES256') throw new Error('the signing key must be an ES256 JWK with a kid');
      return { kid: jwk.kid, alg: jwk.alg, key: await importJWK(jwk, jwk.alg) };
    },
  };
}

/** What goes in the token. */
export interface MintOptions {
  issuer: string;
  /** The FHIR base URL. */
  audience: string;
  clientId: string;
  /** `sub`: the user id, or the client id for a system token. */
  subject: string;
  scope: string;
  /** Seconds until expiry. */
  ttlSeconds: number;
  role?: string;
  /** Absolute URL of the user's FHIR resource. */
  fhirUser?: string;
  patient?: string;
  organization?: string;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Signs an access token with the active ES256 key. */
export async function mintAccessToken(keys: TokenSigner, o: MintOptions): Promise<string> {
  const { kid, alg, key } = await keys.signingKey('ES256');
  const iat = Math.floor((o.now?.() ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = { client_id: o.clientId, scope: o.scope };
  if (o.role) claims.role = o.role;
  if (o.fhirUser) claims.fhirUser = o.fhirUser;
  if (o.patient) claims.patient = o.patient;
  if (o.organization) claims.organization = o.organization;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(o.issuer)
    .setAudience(o.audience)
    .setSubject(o.subject)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + o.ttlSeconds)
    .sign(key);
}
