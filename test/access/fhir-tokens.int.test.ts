/**
 * Bearer tokens at the FHIR API itself (not just the verifier): every bad token gets a 401 or
 * 403 OperationOutcome with a `WWW-Authenticate` challenge, never data; a good one reads only
 * what its holder may see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, UnsecuredJWT } from 'jose';
import { mintAccessToken, type MintOptions } from '../../src/auth/mint-token.js';
import { createAuthTestApp, type AuthTestApp } from '../support/auth-app.js';
import { ENGINES } from '../support/test-store.js';

function withPayload(token: string, change: (p: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
  change(payload);
  return `${h}.${base64url.encode(JSON.stringify(payload))}.${s}`;
}

describe.each(ENGINES)('bearer tokens at /fhir (%s)', (engine) => {
  let t: AuthTestApp;
  let base: MintOptions;
  const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, headers: token !== undefined ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    t = await createAuthTestApp(engine);
    base = { issuer: t.auth.issuer, audience: t.auth.fhirBase, clientId: 'app', subject: 'user-1', scope: 'patient/*.rs', ttlSeconds: 600, role: 'patient', fhirUser: `${t.auth.fhirBase}/Patient/p1` };
    await t.store.update({ resourceType: 'Patient', id: 'p1', name: [{ family: 'One' }] });
    await t.store.update({ resourceType: 'Patient', id: 'p2', name: [{ family: 'Two' }] });
  });
  afterAll(async () => t?.close());

  it('a good token reads its own record and not another', async () => {
    const token = await mintAccessToken(t.auth.keys, base);
    expect((await get('/fhir/Patient/p1', token)).statusCode).toBe(200);
    expect((await get('/fhir/Patient/p2', token)).statusCode).toBe(404);
    const list = JSON.parse((await get('/fhir/Patient', token)).body);
    expect(list.total).toBe(1);
  });

  it('the CapabilityStatement needs no token', async () => {
    expect((await get('/fhir/metadata')).statusCode).toBe(200);
  });

  const bad: [string, () => Promise<string>, number][] = [
    ['no token', async () => '', 401],
    ['garbage', async () => 'not.a.jwt', 401],
    ['expired', async () => mintAccessToken(t.auth.keys, { ...base, now: () => new Date(Date.now() - 7200_000) }), 401],
    ['wrong audience', async () => mintAccessToken(t.auth.keys, { ...base, audience: 'https://elsewhere.example/fhir' }), 401],
    ['wrong issuer', async () => mintAccessToken(t.auth.keys, { ...base, issuer: 'https://evil.example' }), 401],
    ['alg none', async () => new UnsecuredJWT({ client_id: 'app', scope: 'system/*.cruds' }).setIssuer(t.auth.issuer).setAudience(t.auth.fhirBase).setSubject('app').setExpirationTime('10m').encode(), 401],
    ['payload changed after signing (scope widened)', async () => withPayload(await mintAccessToken(t.auth.keys, base), (p) => { p.scope = 'system/*.cruds'; }), 401],
    ['payload changed after signing (another patient)', async () => withPayload(await mintAccessToken(t.auth.keys, base), (p) => { p.fhirUser = 'Patient/p2'; }), 401],
    ['a patient holding system scopes', async () => mintAccessToken(t.auth.keys, { ...base, scope: 'system/*.cruds' }), 403],
  ];
  it.each(bad)('%s: refused with an OperationOutcome and a challenge', async (_name, make, status) => {
    const token = await make();
    const res = token ? await get('/fhir/Patient/p1', token) : await get('/fhir/Patient/p1');
    expect(res.statusCode).toBe(status);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tessera"/);
    const body = JSON.parse(res.body);
    expect(body.resourceType).toBe('OperationOutcome');
    expect(res.body).not.toContain('"family"');
  });
});
