/**
 * Token tampering matrix for `verifyAccessToken`, on both engines (the keys live in the
 * database). Each bad token must be refused with the right reason, status and OperationOutcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, base64url, exportJWK, generateKeyPair, decodeProtectedHeader, type CryptoKey } from 'jose';
import { AuthStore } from '../store/auth-store.js';
import type { Database } from '../store/database.js';
import { loadAuthConfig } from './auth-config.js';
import { KeyRing } from './key-ring.js';
import { mintAccessToken, type MintOptions } from './mint-token.js';
import { TokenError, bearerToken } from './principal.js';
import { createTokenVerifier, type VerifyAccessToken } from './verify-token.js';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';

const ISSUER = 'https://tessera.test/oauth2';
const FHIR = 'https://tessera.test/fhir';
const NOW = new Date('2026-03-01T12:00:00Z');

const patientToken: MintOptions = {
  issuer: ISSUER, audience: FHIR, clientId: 'app', subject: 'user-1', scope: 'patient/Observation.rs patient/Patient.r',
  ttlSeconds: 3600, role: 'patient', fhirUser: `${FHIR}/Patient/p1`, patient: 'p1', now: () => NOW,
};

/** Asserts `promise` rejects with a TokenError for `reason`, and checks the HTTP answer it carries. */
async function refused(promise: Promise<unknown>, reason: string, status = 401): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TokenError);
  const e = err as TokenError;
  expect(e.reason).toBe(reason);
  expect(e.status).toBe(status);
  expect(e.outcome.resourceType).toBe('OperationOutcome');
  expect(e.outcome.issue[0]).toMatchObject({ severity: 'error', code: status === 401 ? 'login' : 'forbidden' });
  expect(e.headers['www-authenticate']).toContain(status === 401 ? 'error="invalid_token"' : 'error="insufficient_scope"');
}

/** Re-encodes a JWT's payload, keeping the original header and signature. */
function withPayload(token: string, change: (p: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
  change(payload);
  return `${h}.${base64url.encode(JSON.stringify(payload))}.${s}`;
}

describe.each(ENGINES)('verifyAccessToken tampering matrix (%s)', (engine) => {
  let db: Database;
  let keys: KeyRing;
  let verify: VerifyAccessToken;
  let clock = NOW;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    keys = await KeyRing.open(new AuthStore(db));
    verify = createTokenVerifier({ issuer: ISSUER, audience: FHIR, keys, now: () => clock });
  });
  afterAll(async () => db?.close());

  it('accepts a good token and maps it to a Principal', async () => {
    const p = await verify(await mintAccessToken(keys, patientToken));
    expect(p).toMatchObject({ kind: 'patient', clientId: 'app', userId: 'user-1', role: 'patient', fhirUser: 'Patient/p1', patient: 'p1', issuer: ISSUER });
    expect(p.scopes.map((s) => [s.context, s.resourceType, s.permissions])).toEqual([['patient', 'Observation', 'rs'], ['patient', 'Patient', 'r']]);
    expect(p.expiresAt.toISOString()).toBe('2026-03-01T13:00:00.000Z');
  });

  it('maps a carer acting for someone else to a proxy, and for themself to a patient', async () => {
    const carer = { ...patientToken, role: 'carer', fhirUser: `${FHIR}/Patient/c1` };
    expect((await verify(await mintAccessToken(keys, { ...carer, patient: 'child-1' }))).kind).toBe('proxy');
    expect((await verify(await mintAccessToken(keys, { ...carer, patient: 'c1' }))).kind).toBe('patient');
  });

  it('maps a client-credentials token to a system principal', async () => {
    const p = await verify(await mintAccessToken(keys, { issuer: ISSUER, audience: FHIR, clientId: 'lab', subject: 'lab', scope: 'system/*.rs', ttlSeconds: 300, now: () => NOW }));
    expect(p).toMatchObject({ kind: 'system', clientId: 'lab' });
    expect(p.userId).toBeUndefined();
  });

  it('expired → 401 (beyond the 30 s clock tolerance)', async () => {
    const token = await mintAccessToken(keys, patientToken);
    clock = new Date(NOW.getTime() + 3600_000 + 31_000);
    try {
      await refused(verify(token), 'expired');
    } finally {
      clock = NOW;
    }
  });

  it('not yet valid (nbf in the future) → 401', async () => {
    const { kid, key } = await keys.signingKey('ES256');
    const token = await new SignJWT({ client_id: 'app', scope: 'patient/*.rs', role: 'patient' })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(FHIR).setSubject('user-1')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setNotBefore(Math.floor(NOW.getTime() / 1000) + 600).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600)
      .sign(key);
    await refused(verify(token), 'not-yet-valid');
  });

  it('payload edited (scopes widened) without re-signing → 401 bad signature', async () => {
    const token = withPayload(await mintAccessToken(keys, patientToken), (p) => {
      p.scope = 'user/*.cruds';
    });
    await refused(verify(token), 'bad-signature');
  });

  it('scopes widened and re-signed with a foreign key under our kid → 401 bad signature', async () => {
    const real = await mintAccessToken(keys, patientToken);
    const { kid } = decodeProtectedHeader(real);
    const foreign = await generateKeyPair('ES256');
    const token = await new SignJWT({ client_id: 'app', scope: 'patient/*.cruds', role: 'patient', patient: 'p1' })
      .setProtectedHeader({ alg: 'ES256', kid: kid!, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(FHIR).setSubject('user-1')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600).sign(foreign.privateKey);
    await refused(verify(token), 'bad-signature');
  });

  it('re-signed with a foreign key under its own kid → 401 unknown key', async () => {
    const foreign = await generateKeyPair('ES256');
    const token = await new SignJWT({ client_id: 'app', scope: 'system/*.cruds' })
      .setProtectedHeader({ alg: 'ES256', kid: 'attacker', typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(FHIR).setSubject('app')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600).sign(foreign.privateKey);
    await refused(verify(token), 'unknown-key');
  });

  it('wrong audience (a token for another FHIR server) → 401', async () => {
    await refused(verify(await mintAccessToken(keys, { ...patientToken, audience: 'https://other.example/fhir' })), 'wrong-audience');
  });

  it('wrong issuer → 401', async () => {
    await refused(verify(await mintAccessToken(keys, { ...patientToken, issuer: 'https://evil.example' })), 'wrong-issuer');
  });

  it('alg: none → 401', async () => {
    const token = new UnsecuredJWT({ client_id: 'app', scope: 'system/*.cruds' }).setIssuer(ISSUER).setAudience(FHIR).setSubject('app')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600).encode();
    expect(token.endsWith('.')).toBe(true);
    await refused(verify(token), 'alg-not-allowed');
    // The same with an (ignored) signature part, and with "None" spelt differently.
    for (const alg of ['none', 'None', 'NONE']) {
      const header = base64url.encode(JSON.stringify({ alg, typ: 'at+jwt' }));
      const body = token.split('.')[1];
      await refused(verify(`${header}.${body}.AAAA`), 'alg-not-allowed');
    }
  });

  it('HS256 signed with the public key as the secret (algorithm confusion) → 401', async () => {
    const jwk = keys.publicJwks().keys[0]!;
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const token = await new SignJWT({ client_id: 'app', scope: 'system/*.cruds' })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid!, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(FHIR).setSubject('app')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600).sign(secret);
    await refused(verify(token), 'alg-not-allowed');
  });

  it('an ID token (not an access token) → 401', async () => {
    const { kid, key } = await keys.signingKey('RS256');
    const idToken = await new SignJWT({ client_id: 'app' })
      .setProtectedHeader({ alg: 'RS256', kid }).setIssuer(ISSUER).setAudience(FHIR).setSubject('user-1')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600).sign(key);
    await refused(verify(idToken), 'invalid-claims');
  });

  it('a validly signed patient token claiming system scopes → 403', async () => {
    await refused(verify(await mintAccessToken(keys, { ...patientToken, scope: 'patient/*.rs system/*.cruds' })), 'scope-not-permitted', 403);
    await refused(verify(await mintAccessToken(keys, { ...patientToken, scope: 'user/*.cruds' })), 'scope-not-permitted', 403);
  });

  it('a malformed scope → 401', async () => {
    await refused(verify(await mintAccessToken(keys, { ...patientToken, scope: 'patient/Observation.sr' })), 'invalid-scope');
  });

  it('garbage and missing tokens → 401', async () => {
    await refused(verify('not-a-jwt'), 'malformed');
    await refused(verify('a.b.c'), 'malformed');
    expect(() => bearerToken(undefined)).toThrow(TokenError);
    try {
      bearerToken(undefined);
    } catch (e) {
      expect((e as TokenError).reason).toBe('missing');
      expect((e as TokenError).headers['www-authenticate']).toBe('Bearer realm="tessera"');
    }
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(TokenError);
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('picks up a key another node added after this node loaded its keys (re-read at most every 30 s)', async () => {
    let ms = 0;
    const ring = await KeyRing.open(new AuthStore(db), { now: () => ms });
    const before = await mintAccessToken(ring, patientToken);
    // Another node rotates: retires the ES256 key and stores a new one.
    await db.query('UPDATE auth_signing_keys SET active = false WHERE alg = $1', ['ES256']);
    const fresh = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(fresh.privateKey)), kid: 'rotated-1', alg: 'ES256', use: 'sig' };
    await new AuthStore(db).ensureSigningKey({ kid: 'rotated-1', alg: 'ES256', privateJwk: jwk });
    const other = await KeyRing.open(new AuthStore(db));
    const token = await mintAccessToken(other, patientToken);
    expect(decodeProtectedHeader(token).kid).toBe('rotated-1');

    const v = createTokenVerifier({ issuer: ISSUER, audience: FHIR, keys: ring, now: () => NOW });
    await refused(v(token), 'unknown-key');
    ms += 30_000;
    expect((await v(token)).kind).toBe('patient');
    // Tokens signed with the retired key still verify until it is deleted.
    expect((await v(before)).kind).toBe('patient');
  });
});

describe('external identity provider (static JWKS)', () => {
  it('trusts the configured issuer, maps claims, and checks audience and algorithm', async () => {
    const idp = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256' };
    const config = loadAuthConfig({
      TESSERA_AUTH_MODE: 'external',
      TESSERA_AUTH_EXTERNAL_ISSUER: 'https://auth.login.nhs.example',
      TESSERA_AUTH_EXTERNAL_JWKS: JSON.stringify({ keys: [jwk] }),
      TESSERA_AUTH_EXTERNAL_AUDIENCE: 'tessera-client',
      TESSERA_AUTH_EXTERNAL_DEFAULT_SCOPE: 'patient/*.rs',
      TESSERA_AUTH_EXTERNAL_CLAIMS: JSON.stringify({ scope: 'scp' }),
    });
    const keysStub = { verificationKey: async () => undefined } as unknown as KeyRing;
    const verify = createTokenVerifier({
      issuer: ISSUER, audience: FHIR, keys: keysStub, external: config.external!, now: () => NOW,
      // e.g. look the NHS number up to find the Patient
      resolveExternal: async (p) => (p.nhsNumber === '9434765919' ? { ...p, patient: 'p-9434765919', fhirUser: 'Patient/p-9434765919' } : undefined),
    });
    const sign = (claims: Record<string, unknown>, opts: { aud?: string; alg?: string; key?: CryptoKey } = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: 'idp-1' }).setIssuer('https://auth.login.nhs.example')
        .setAudience(opts.aud ?? 'tessera-client').setSubject('nhs-login-sub-1')
        .setIssuedAt(Math.floor(NOW.getTime() / 1000)).setExpirationTime(Math.floor(NOW.getTime() / 1000) + 600)
        .sign(opts.key ?? idp.privateKey);

    const p = await verify(await sign({ nhs_number: '9434765919', client_id: 'nhs-app' }));
    expect(p).toMatchObject({ kind: 'patient', clientId: 'nhs-app', subject: 'nhs-login-sub-1', nhsNumber: '9434765919', patient: 'p-9434765919', issuer: 'https://auth.login.nhs.example' });
    expect(p.scope).toBe('patient/*.rs');
    const withScp = await verify(await sign({ nhs_number: '9434765919', scp: ['patient/Observation.rs'] }));
    expect(withScp.scope).toBe('patient/Observation.rs');

    await refused(verify(await sign({ nhs_number: '9434765919' }, { aud: 'someone-else' })), 'wrong-audience');
    await refused(verify(await sign({ nhs_number: '1111111111' })), 'invalid-claims');
    const foreign = await generateKeyPair('RS256');
    await refused(verify(await sign({ nhs_number: '9434765919' }, { key: foreign.privateKey })), 'bad-signature');
    const ps = await generateKeyPair('PS512');
    await refused(verify(await sign({ nhs_number: '9434765919' }, { alg: 'PS512', key: ps.privateKey })), 'alg-not-allowed');
  });

  it('rejects an external configuration without keys', () => {
    expect(() => loadAuthConfig({ TESSERA_AUTH_MODE: 'external', TESSERA_AUTH_EXTERNAL_ISSUER: 'https://idp.example' })).toThrow(/auth\.external/);
    expect(() => loadAuthConfig({ TESSERA_AUTH_MODE: 'external' })).toThrow(/auth\.external/);
  });
});
