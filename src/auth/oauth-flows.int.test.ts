/**
 * SMART App Launch flows end to end through Fastify `inject()`, on both engines: authorization
 * code with PKCE S256 (sign-in, consent, patient context), refresh tokens, client credentials
 * with private_key_jwt, and failed sign-in throttling.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, decodeJwt, type CryptoKey } from 'jose';
import { AuthStore } from '../store/auth-store.js';
import { hashPassword } from './passwords.js';
import { ENGINES } from '../../test/support/test-store.js';
import { createAuthTestApp, formAction, inputValue, TestBrowser, type AuthTestApp } from '../../test/support/auth-app.js';

const ORIGIN = 'http://tessera.test';
const FHIR = `${ORIGIN}/fhir`;
const REDIRECT = 'http://app.test/callback';
const PASSWORD = 'correct horse battery staple';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(params: Record<string, string>): string {
  return `/oauth2/auth?${new URLSearchParams({ response_type: 'code', client_id: 'patient-app', redirect_uri: REDIRECT, state: 's-123', aud: FHIR, ...params })}`;
}

describe.each(ENGINES)('OAuth flows (%s)', (engine) => {
  let t: AuthTestApp;
  let backendKey: CryptoKey;
  let patientUserId: string;

  beforeAll(async () => {
    const backend = await generateKeyPair('RS384', { extractable: true });
    backendKey = backend.privateKey;
    const publicJwk = { ...(await exportJWK(backend.publicKey)), kid: 'backend-1', alg: 'RS384' };
    const clients = [
      { client_id: 'patient-app', client_name: 'Test patient app', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' },
      { client_id: 'lab-system', client_name: 'Lab', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] }, redirect_uris: [], response_types: [], allowed_smart_scopes: 'system/Observation.cruds system/Patient.rs' },
    ];
    t = await createAuthTestApp(engine, { env: { TESSERA_AUTH_CLIENTS: JSON.stringify(clients), TESSERA_AUTH_LOGIN_MAX_FAILURES: '3' } });
    await t.store.update({ resourceType: 'Patient', id: 'pat-1', name: [{ family: 'Smith', given: ['Ann'] }] } as never);
    const store = new AuthStore(t.db);
    await t.store.update({ resourceType: 'Patient', id: 'child-1', name: [{ family: 'Smith', given: ['Tom'] }] } as never);
    await t.store.update({ resourceType: 'Patient', id: 'carer-1', name: [{ family: 'Smith', given: ['Cara'] }] } as never);
    const carerId = randomUUID();
    const staffHash = await hashPassword(PASSWORD);
    await store.createUser({ id: carerId, username: 'cara', displayName: 'Cara Smith', role: 'carer', passwordHash: staffHash, fhirUser: 'Patient/carer-1' });
    await store.setProxyRelationship({ carerUserId: carerId, patientId: 'child-1', permissions: ['record', 'appointments'] });
    await store.createUser({ id: randomUUID(), username: 'drgp', displayName: 'Dr Gee', role: 'gp', passwordHash: staffHash, fhirUser: 'Practitioner/gp-1' });
    patientUserId = randomUUID();
    await store.createUser({ id: patientUserId, username: 'ann', displayName: 'Ann Smith', role: 'patient', passwordHash: await hashPassword(PASSWORD), fhirUser: 'Patient/pat-1' });
  });
  afterAll(async () => t?.close());

  async function signInAndConsent(browser: TestBrowser, url: string, opts: { password?: string; username?: string } = {}) {
    const start = await browser.get(url);
    expect(start.statusCode).toBe(303);
    const login = await browser.follow(start);
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('Sign in');
    const csrf = inputValue(login.body, 'csrf')!;
    const t0 = performance.now();
    const afterLogin = await browser.postForm(formAction(login.body), { csrf, username: opts.username ?? 'ann', password: opts.password ?? PASSWORD });
    const consent = await browser.follow(afterLogin);
    const signInMs = performance.now() - t0;
    return { consent, signInMs };
  }

  async function exchange(body: Record<string, string>) {
    const res = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'tessera.test' }, payload: new URLSearchParams(body).toString() });
    return { status: res.statusCode, json: JSON.parse(res.body) as Record<string, unknown> };
  }

  it('serves the SMART configuration at the root and below /fhir', async () => {
    for (const url of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const doc = JSON.parse(res.body);
      expect(doc).toMatchObject({
        issuer: `${ORIGIN}/oauth2`, authorization_endpoint: `${ORIGIN}/oauth2/auth`, token_endpoint: `${ORIGIN}/oauth2/token`,
        jwks_uri: `${ORIGIN}/oauth2/jwks`, code_challenge_methods_supported: ['S256'],
      });
      expect(doc.capabilities).toEqual(expect.arrayContaining(['launch-standalone', 'client-public', 'client-confidential-asymmetric', 'permission-v2', 'context-standalone-patient']));
    }
    const oidc = await t.app.inject({ method: 'GET', url: '/oauth2/.well-known/openid-configuration', headers: { host: 'tessera.test' } });
    expect(JSON.parse(oidc.body).token_endpoint).toBe(`${ORIGIN}/oauth2/token`);
  });

  it('authorization code + PKCE S256: sign in, consent, token with patient context, refresh', async () => {
    const browser = new TestBrowser(t.app, ORIGIN);
    const { challenge } = pkce();
    const scope = 'openid fhirUser launch/patient offline_access patient/Observation.rs patient/Patient.r user/*.cruds';
    const { consent, signInMs } = await signInAndConsent(browser, authorizeUrl({ scope, code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(signInMs).toBeLessThan(1000);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Test patient app');
    // A patient cannot be given user/ scopes: shown as refused.
    expect(consent.body).toContain('Not allowed for your account');
    const done = await browser.postForm(formAction(consent.body), { csrf: inputValue(consent.body, 'csrf')!, decision: 'allow' });
    const back = await browser.follow(done);
    expect(back.statusCode).toBe(303);
    const cb = new URL(String(back.headers.location));
    expect(`${cb.origin}${cb.pathname}`).toBe(REDIRECT);
    expect(cb.searchParams.get('state')).toBe('s-123');
    const code = cb.searchParams.get('code')!;

    // Wrong verifier: refused, and the code is then spent.
    const bad = await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'patient-app', code_verifier: pkce().verifier });
    expect(bad).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    // Start again and redeem properly.
    const b2 = new TestBrowser(t.app, ORIGIN);
    const p2 = pkce();
    const r2 = await signInAndConsent(b2, authorizeUrl({ scope, code_challenge: p2.challenge, code_challenge_method: 'S256' }));
    const back2 = await b2.follow(await b2.postForm(formAction(r2.consent.body), { csrf: inputValue(r2.consent.body, 'csrf')!, decision: 'allow' }));
    const code2 = new URL(String(back2.headers.location)).searchParams.get('code')!;
    const tok = await exchange({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, client_id: 'patient-app', code_verifier: p2.verifier });
    expect(tok.status).toBe(200);
    expect(tok.json).toMatchObject({ token_type: 'Bearer', patient: 'pat-1' });
    expect(String(tok.json.scope).split(' ').sort()).toEqual(['fhirUser', 'launch/patient', 'offline_access', 'openid', 'patient/Observation.rs', 'patient/Patient.r']);
    expect(tok.json.refresh_token).toEqual(expect.any(String));
    expect(decodeJwt(String(tok.json.id_token))).toMatchObject({ fhirUser: `${FHIR}/Patient/pat-1`, aud: 'patient-app' });

    const principal = await t.auth.verifyAccessToken(String(tok.json.access_token));
    expect(principal).toMatchObject({ kind: 'patient', clientId: 'patient-app', userId: patientUserId, fhirUser: 'Patient/pat-1', patient: 'pat-1', role: 'patient' });
    expect(principal.scopes.map((s) => s.raw).sort()).toEqual(['patient/Observation.rs', 'patient/Patient.r']);

    // Refresh: a new access token with the same context; the refresh token rotates (public client).
    const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: String(tok.json.refresh_token), client_id: 'patient-app' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toMatchObject({ patient: 'pat-1' });
    expect(refreshed.json.refresh_token).not.toBe(tok.json.refresh_token);
    const p3 = await t.auth.verifyAccessToken(String(refreshed.json.access_token));
    expect(p3).toMatchObject({ kind: 'patient', patient: 'pat-1' });

    // Narrowing on refresh is allowed; widening is not.
    const narrowed = await exchange({ grant_type: 'refresh_token', refresh_token: String(refreshed.json.refresh_token), client_id: 'patient-app', scope: 'patient/Patient.r' });
    expect(narrowed.status).toBe(200);
    expect((await t.auth.verifyAccessToken(String(narrowed.json.access_token))).scope).toBe('patient/Patient.r');
    const widened = await exchange({ grant_type: 'refresh_token', refresh_token: String(narrowed.json.refresh_token), client_id: 'patient-app', scope: 'patient/*.cruds' });
    expect(widened).toMatchObject({ status: 400, json: { error: 'invalid_scope' } });

    // The app can revoke its refresh token (RFC 7009); it then stops working.
    const spare = await exchange({ grant_type: 'refresh_token', refresh_token: String(narrowed.json.refresh_token), client_id: 'patient-app' });
    expect(spare.status).toBe(200);
    const revoke = await t.app.inject({ method: 'POST', url: '/oauth2/token/revocation', headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'tessera.test' }, payload: new URLSearchParams({ token: String(spare.json.refresh_token), token_type_hint: 'refresh_token', client_id: 'patient-app' }).toString() });
    expect(revoke.statusCode).toBe(200);
    const revoked = await exchange({ grant_type: 'refresh_token', refresh_token: String(spare.json.refresh_token), client_id: 'patient-app' });
    expect(revoked).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    // Re-using a rotated refresh token is refused and revokes the grant's other refresh tokens.
    const reuse = await exchange({ grant_type: 'refresh_token', refresh_token: String(tok.json.refresh_token), client_id: 'patient-app' });
    expect(reuse).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    const afterReuse = await exchange({ grant_type: 'refresh_token', refresh_token: String(narrowed.json.refresh_token), client_id: 'patient-app' });
    expect(afterReuse).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

    // A code is single-use (RFC 6749 §4.1.2): replaying it fails and revokes what it issued.
    const again = await exchange({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, client_id: 'patient-app', code_verifier: p2.verifier });
    expect(again).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it('a carer chooses whose record to open; the token carries that patient and the carer as a proxy', async () => {
    const browser = new TestBrowser(t.app, ORIGIN, '10.2.2.2');
    const { verifier, challenge } = pkce();
    const { consent } = await signInAndConsent(browser, authorizeUrl({ scope: 'openid fhirUser launch/patient patient/*.rs', code_challenge: challenge, code_challenge_method: 'S256' }), { username: 'cara' });
    expect(consent.body).toContain('Whose record should the app open?');
    expect(consent.body).toContain('value="child-1"');
    expect(consent.body).toContain('value="carer-1"');
    const forged = await browser.postForm(formAction(consent.body), { csrf: inputValue(consent.body, 'csrf')!, decision: 'allow', patient: 'pat-1' });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('Select one of the records listed');
    const back = await browser.follow(await browser.postForm(formAction(forged.body), { csrf: inputValue(forged.body, 'csrf')!, decision: 'allow', patient: 'child-1' }));
    const code = new URL(String(back.headers.location)).searchParams.get('code')!;
    const tok = await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'patient-app', code_verifier: verifier });
    expect(tok.json.patient).toBe('child-1');
    expect(await t.auth.verifyAccessToken(String(tok.json.access_token))).toMatchObject({ kind: 'proxy', role: 'carer', patient: 'child-1', fhirUser: 'Patient/carer-1' });
  });

  it('a GP types the patient id to open; unknown ids are refused on the page', async () => {
    const browser = new TestBrowser(t.app, ORIGIN, '10.3.3.3');
    const { verifier, challenge } = pkce();
    const { consent } = await signInAndConsent(browser, authorizeUrl({ scope: 'openid fhirUser launch/patient user/*.rs patient/*.rs', code_challenge: challenge, code_challenge_method: 'S256' }), { username: 'drgp' });
    const unknown = await browser.postForm(formAction(consent.body), { csrf: inputValue(consent.body, 'csrf')!, decision: 'allow', patient: 'no-such-patient' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('There is no patient record with that id');
    const back = await browser.follow(await browser.postForm(formAction(unknown.body), { csrf: inputValue(unknown.body, 'csrf')!, decision: 'allow', patient: 'pat-1' }));
    const code = new URL(String(back.headers.location)).searchParams.get('code')!;
    const tok = await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'patient-app', code_verifier: verifier });
    expect(tok.status).toBe(200);
    const p = await t.auth.verifyAccessToken(String(tok.json.access_token));
    expect(p).toMatchObject({ kind: 'practitioner', role: 'gp', patient: 'pat-1', fhirUser: 'Practitioner/gp-1' });
    expect(p.scope.split(' ').sort()).toEqual(['patient/*.rs', 'user/*.rs']);
  });

  it('refuses an authorization request without PKCE, with plain PKCE, or for another FHIR server', async () => {
    const browser = new TestBrowser(t.app, ORIGIN);
    const noPkce = await browser.get(authorizeUrl({ scope: 'openid patient/*.rs' }));
    expect(String(noPkce.headers.location)).toContain('error=invalid_request');
    const plain = await browser.get(authorizeUrl({ scope: 'openid patient/*.rs', code_challenge: pkce().verifier, code_challenge_method: 'plain' }));
    expect(String(plain.headers.location)).toContain('error=invalid_request');
    const otherAud = await browser.get(authorizeUrl({ scope: 'openid patient/*.rs', code_challenge: pkce().challenge, code_challenge_method: 'S256', aud: 'https://evil.example/fhir' }));
    expect(String(otherAud.headers.location)).toContain('error=invalid_request');
  });

  it('denying consent returns access_denied to the app', async () => {
    const browser = new TestBrowser(t.app, ORIGIN);
    const { consent } = await signInAndConsent(browser, authorizeUrl({ scope: 'openid patient/*.rs', code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
    const back = await browser.follow(await browser.postForm(formAction(consent.body), { csrf: inputValue(consent.body, 'csrf')!, decision: 'deny' }));
    expect(String(back.headers.location)).toMatch(/^http:\/\/app\.test\/callback\?error=access_denied/);
  });

  it('refuses a sign-in form without the CSRF token', async () => {
    const browser = new TestBrowser(t.app, ORIGIN);
    const login = await browser.follow(await browser.get(authorizeUrl({ scope: 'openid patient/*.rs', code_challenge: pkce().challenge, code_challenge_method: 'S256' })));
    const res = await browser.postForm(formAction(login.body), { csrf: 'forged', username: 'ann', password: PASSWORD });
    expect(res.statusCode).toBe(403);
    const none = await browser.postForm(formAction(login.body), { username: 'ann', password: PASSWORD });
    expect(none.statusCode).toBe(403);
  });

  it('throttles repeated failed sign-ins per username and IP', async () => {
    const browser = new TestBrowser(t.app, ORIGIN, '10.9.9.9');
    const login = await browser.follow(await browser.get(authorizeUrl({ scope: 'openid patient/*.rs', code_challenge: pkce().challenge, code_challenge_method: 'S256' })));
    const csrf = inputValue(login.body, 'csrf')!;
    const action = formAction(login.body);
    for (let i = 0; i < 3; i++) {
      const res = await browser.postForm(action, { csrf, username: 'ann', password: 'wrong' });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Enter a correct username and password');
    }
    // Now even the right password is refused without being checked.
    const blocked = await browser.postForm(action, { csrf, username: 'ann', password: PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Too many failed attempts');
    // Unknown usernames get the same answer as wrong passwords (no enumeration).
    const unknown = await browser.postForm(action, { csrf, username: 'nobody', password: 'x' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain('Enter a correct username and password');
    // Another IP is not affected.
    const other = new TestBrowser(t.app, ORIGIN, '10.9.9.10');
    const { consent } = await signInAndConsent(other, authorizeUrl({ scope: 'openid patient/*.rs', code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
    expect(consent.statusCode).toBe(200);
  });

  async function clientAssertion(opts: { aud?: string; key?: CryptoKey; kid?: string } = {}) {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS384', kid: opts.kid ?? 'backend-1', typ: 'JWT' })
      .setIssuer('lab-system').setSubject('lab-system').setAudience(opts.aud ?? `${ORIGIN}/oauth2/token`)
      .setJti(randomUUID()).setIssuedAt().setExpirationTime('5m')
      .sign(opts.key ?? backendKey);
  }

  it('client credentials with private_key_jwt (SMART Backend Services)', async () => {
    const tok = await exchange({
      grant_type: 'client_credentials', scope: 'system/Observation.rs system/Patient.rs system/Condition.rs',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await clientAssertion(),
    });
    expect(tok.status).toBe(200);
    // Condition is outside the client's allowed scopes, so it is not granted.
    expect(String(tok.json.scope).split(' ').sort()).toEqual(['system/Observation.rs', 'system/Patient.rs']);
    expect(tok.json.refresh_token).toBeUndefined();
    const p = await t.auth.verifyAccessToken(String(tok.json.access_token));
    expect(p).toMatchObject({ kind: 'system', clientId: 'lab-system', subject: 'lab-system' });
    expect(p.userId).toBeUndefined();
  });

  it('client credentials: refuses a forged, replayed or mis-addressed client assertion', async () => {
    const other = await generateKeyPair('RS384');
    const forged = await exchange({ grant_type: 'client_credentials', scope: 'system/Observation.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await clientAssertion({ key: other.privateKey }) });
    expect(forged).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    const wrongAud = await exchange({ grant_type: 'client_credentials', scope: 'system/Observation.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await clientAssertion({ aud: 'https://elsewhere.example/token' }) });
    expect(wrongAud).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    const assertion = await clientAssertion();
    const first = await exchange({ grant_type: 'client_credentials', scope: 'system/Observation.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
    expect(first.status).toBe(200);
    const replay = await exchange({ grant_type: 'client_credentials', scope: 'system/Observation.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
    expect(replay).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    // A public app cannot use client credentials.
    const publicClient = await exchange({ grant_type: 'client_credentials', client_id: 'patient-app', scope: 'system/*.rs' });
    expect(publicClient.status).toBeGreaterThanOrEqual(400);
  });

  it('any node can serve any step: two app nodes on one database complete a sign-in between them', async () => {
    const nodeB = await createAuthTestApp(engine, { db: t.db, env: { TESSERA_AUTH_CLIENTS: JSON.stringify([{ client_id: 'patient-app', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' }]) } });
    try {
      const browser = new TestBrowser(t.app, ORIGIN, '10.1.1.1');
      const { verifier, challenge } = pkce();
      const start = await browser.get(authorizeUrl({ scope: 'openid launch/patient offline_access patient/*.rs', code_challenge: challenge, code_challenge_method: 'S256' }));
      browser.app = nodeB.app;
      const login = await browser.get(String(start.headers.location));
      expect(login.statusCode).toBe(200);
      const afterLogin = await browser.postForm(formAction(login.body), { csrf: inputValue(login.body, 'csrf')!, username: 'ann', password: PASSWORD });
      browser.app = t.app;
      const consent = await browser.follow(afterLogin);
      expect(consent.statusCode).toBe(200);
      browser.app = nodeB.app;
      const back = await browser.follow(await browser.postForm(formAction(consent.body), { csrf: inputValue(consent.body, 'csrf')!, decision: 'allow' }));
      const code = new URL(String(back.headers.location)).searchParams.get('code')!;
      const tok = await exchange({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'patient-app', code_verifier: verifier });
      expect(tok.status).toBe(200);
      expect(tok.json.patient).toBe('pat-1');
      // Tokens from one node verify on the other; refresh works on the other.
      expect((await nodeB.auth.verifyAccessToken(String(tok.json.access_token))).patient).toBe('pat-1');
      const res = await nodeB.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'tessera.test' }, payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(tok.json.refresh_token), client_id: 'patient-app' }).toString() });
      expect(res.statusCode).toBe(200);
    } finally {
      await nodeB.close();
    }
  });
});
