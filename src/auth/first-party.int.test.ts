/**
 * First-party clients (registered by Tessera itself, like the patient app) get their grant at
 * sign-in without a consent page; third-party apps are still asked; and a choice that only the
 * user can make (a carer picking whose record a `launch/patient` app opens) is still asked of
 * first-party clients too.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../store/auth-store.js';
import { hashPassword } from './passwords.js';
import { ENGINES } from '../../test/support/test-store.js';
import { createAuthTestApp, formAction, inputValue, TestBrowser, type AuthTestApp } from '../../test/support/auth-app.js';

const ORIGIN = 'http://tessera.test';
const FHIR = `${ORIGIN}/fhir`;
const PASSWORD = 'correct horse battery staple';
const FIRST = { client_id: 'first-app', client_name: 'First-party app', redirect_uris: ['http://first.test/cb'], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' as const };
const THIRD = { client_id: 'third-app', client_name: 'Third-party app', redirect_uris: ['http://third.test/cb'], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe.each(ENGINES)('first-party sign-in (%s)', (engine) => {
  let t: AuthTestApp;

  beforeAll(async () => {
    t = await createAuthTestApp(engine, { env: { TESSERA_AUTH_CLIENTS: JSON.stringify([THIRD]) }, builtinClients: [FIRST] });
    const store = new AuthStore(t.db);
    const hash = await hashPassword(PASSWORD);
    await t.store.update({ resourceType: 'Patient', id: 'pat-1', name: [{ family: 'Smith', given: ['Ann'] }] } as never);
    await t.store.update({ resourceType: 'Patient', id: 'carer-1', name: [{ family: 'Smith', given: ['Cara'] }] } as never);
    await t.store.update({ resourceType: 'Patient', id: 'child-1', name: [{ family: 'Smith', given: ['Tom'] }] } as never);
    await store.createUser({ id: randomUUID(), username: 'ann', displayName: 'Ann Smith', role: 'patient', passwordHash: hash, fhirUser: 'Patient/pat-1' });
    const carer = randomUUID();
    await store.createUser({ id: carer, username: 'cara', displayName: 'Cara Smith', role: 'carer', passwordHash: hash, fhirUser: 'Patient/carer-1' });
    await store.setProxyRelationship({ carerUserId: carer, patientId: 'child-1', permissions: ['record'] });
  });
  afterAll(async () => t?.close());

  async function signIn(clientId: string, redirect: string, scope: string, username = 'ann') {
    const browser = new TestBrowser(t.app, ORIGIN);
    const { verifier, challenge } = pkce();
    const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirect, scope, state: 's', aud: FHIR, code_challenge: challenge, code_challenge_method: 'S256' });
    const login = await browser.follow(await browser.get(`/oauth2/auth?${q}`));
    expect(login.statusCode).toBe(200);
    const after = await browser.follow(await browser.postForm(formAction(login.body), { csrf: inputValue(login.body, 'csrf')!, username, password: PASSWORD }));
    return { browser, after, verifier };
  }

  it('grants a first-party client at sign-in with no consent page, refresh token included', async () => {
    const { after, verifier } = await signIn('first-app', 'http://first.test/cb', 'openid fhirUser patient/*.rs offline_access');
    expect(after.statusCode).toBe(303);
    const back = new URL(String(after.headers.location));
    expect(back.origin).toBe('http://first.test');
    const code = back.searchParams.get('code')!;
    expect(code).toBeTruthy();
    const res = await t.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'tessera.test' },
      payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://first.test/cb', client_id: 'first-app', code_verifier: verifier }).toString(),
    });
    expect(res.statusCode).toBe(200);
    const tok = JSON.parse(res.body) as Record<string, unknown>;
    expect(String(tok.scope).split(' ').sort()).toEqual(['fhirUser', 'offline_access', 'openid', 'patient/*.rs']);
    expect(tok.refresh_token).toBeTruthy();
  });

  it('still shows the consent page to a third-party app', async () => {
    const { after } = await signIn('third-app', 'http://third.test/cb', 'openid patient/*.rs');
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Third-party app');
    expect(after.body).toMatch(/<button[^>]*value="allow"/);
  });

  it('still asks a carer whose record a first-party launch/patient app should open', async () => {
    const { after } = await signIn('first-app', 'http://first.test/cb', 'openid fhirUser launch/patient patient/*.rs', 'cara');
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('value="child-1"');
    expect(after.body).toContain('value="carer-1"');
  });
});
