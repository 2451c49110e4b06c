/**
 * A real SMART client — `fhirclient` (the SMART JS library), through its Node adapter — completes
 * a standalone launch with PKCE against a listening Tessera: discovery from
 * `/fhir/.well-known/smart-configuration`, authorize, sign-in and consent (driven by a test
 * browser), code exchange, a FHIR read with the token, and a refresh. The app's own "server" is
 * faked with plain request/response objects, as the adapter only needs `url`, `headers` and
 * `writeHead`/`end`; fhirclient makes its real HTTP calls (discovery, token) over loopback.
 */
import { createServer } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import smart from 'fhirclient';
import { AuthStore } from '../store/auth-store.js';
import { hashPassword } from './passwords.js';
import { ENGINES } from '../../test/support/test-store.js';
import { createAuthTestApp, formAction, inputValue, TestBrowser, type AuthTestApp } from '../../test/support/auth-app.js';

const REDIRECT = 'http://app.test/callback';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The app's request and response as the fhirclient Node adapter sees them. */
function appExchange(url: string): { req: IncomingMessage; res: ServerResponse; redirectedTo: () => string | undefined } {
  let location: string | undefined;
  const req = { url, headers: { host: 'app.test' }, socket: {} } as unknown as IncomingMessage;
  const res = {
    writeHead(_status: number, headers: Record<string, string>) {
      location = headers.location;
      return this;
    },
    end() {
      return this;
    },
  } as unknown as ServerResponse;
  return { req, res, redirectedTo: () => location };
}

describe.each(ENGINES)('fhirclient standalone launch (%s)', (engine) => {
  let t: AuthTestApp;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const clients = [{ client_id: 'smart-app', client_name: 'SMART test app', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' }];
    t = await createAuthTestApp(engine, { publicUrl, env: { TESSERA_AUTH_CLIENTS: JSON.stringify(clients) } });
    await t.app.listen({ port, host: '127.0.0.1' });
    await t.store.update({ resourceType: 'Patient', id: 'pat-1', name: [{ family: 'Jones', given: ['Bea'] }] } as never);
    await new AuthStore(t.db).createUser({ id: randomUUID(), username: 'bea', displayName: 'Bea Jones', role: 'patient', passwordHash: await hashPassword('s3cret-pass'), fhirUser: 'Patient/pat-1' });
  });
  afterAll(async () => t?.close());

  it('completes discovery, PKCE authorization, token exchange, a FHIR read and a refresh', async () => {
    const session: Record<string, unknown> = {};
    const storage = {
      get: async (k: string) => session[k],
      set: async (k: string, v: unknown) => (session[k] = v),
      unset: async (k: string) => {
        const had = k in session;
        delete session[k];
        return had;
      },
    };

    // 1. The app starts a standalone launch: fhirclient discovers the endpoints and redirects.
    const launch = appExchange('/launch');
    await smart(launch.req, launch.res, storage as never).authorize({
      iss: `${publicUrl}/fhir`, clientId: 'smart-app', redirectUri: REDIRECT, pkceMode: 'required',
      scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
    });
    const authorizeUrl = new URL(launch.redirectedTo()!);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${publicUrl}/oauth2/auth`);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('aud')).toBe(`${publicUrl}/fhir`);

    // 2. The user signs in and allows access in the browser.
    const browser = new TestBrowser(t.app, publicUrl);
    const login = await browser.follow(await browser.get(authorizeUrl.href));
    expect(login.statusCode).toBe(200);
    const consent = await browser.follow(await browser.postForm(formAction(login.body), { csrf: inputValue(login.body, 'csrf')!, username: 'bea', password: 's3cret-pass' }));
    expect(consent.body).toContain('SMART test app');
    const back = await browser.follow(await browser.postForm(formAction(consent.body), { csrf: inputValue(consent.body, 'csrf')!, decision: 'allow' }));
    const callback = new URL(String(back.headers.location));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);

    // 3. The browser lands on the app's callback; fhirclient exchanges the code (with the verifier).
    const cb = appExchange(`${callback.pathname}${callback.search}`);
    const client = await smart(cb.req, cb.res, storage as never).ready();
    expect(client.patient.id).toBe('pat-1');
    expect(client.getFhirUser()).toBe('Patient/pat-1');
    expect(client.state.tokenResponse?.refresh_token).toEqual(expect.any(String));
    const principal = await t.auth.verifyAccessToken(String(client.state.tokenResponse?.access_token));
    expect(principal).toMatchObject({ kind: 'patient', clientId: 'smart-app', patient: 'pat-1', fhirUser: 'Patient/pat-1' });

    // 4. The app reads the patient with its token, then refreshes it.
    const patient = await client.patient.read();
    expect(patient).toMatchObject({ resourceType: 'Patient', id: 'pat-1' });
    const oldToken = client.state.tokenResponse?.access_token;
    // A public client identifies itself with client_id when refreshing (RFC 6749 §3.2.1;
    // oidc-provider requires it). fhirclient sends it when this documented option is on.
    (client.environment.options as { refreshTokenWithClientId?: boolean }).refreshTokenWithClientId = true;
    await client.refresh();
    expect(client.state.tokenResponse?.access_token).not.toBe(oldToken);
    expect((await t.auth.verifyAccessToken(String(client.state.tokenResponse?.access_token))).patient).toBe('pat-1');
  });
});
