/**
 * An in-process Tessera with sign-in and the patient app, over a fresh embedded database, with
 * the patient fixture loaded and two users: `ann` (a patient who cares for Tom) and `bob` (a
 * patient with an empty record). `signIn()` drives the real OAuth flow through `inject()`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadAuthConfig } from '../../src/auth/auth-config.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { registerAuth, type Auth } from '../../src/auth/register-auth.js';
import { isKnownResourceType, RESOURCE_TYPES } from '../../src/fhir/validation/index.js';
import { FhirRouter } from '../../src/http/fhir-router.js';
import { buildServer } from '../../src/http/server.js';
import { createStore } from '../../src/main.js';
import { buildOperations } from '../../src/operations/index.js';
import { AccessResolver } from '../../src/store/caller-access.js';
import { auditSinks } from '../../src/store/audit-log.js';
import { bearerToken, TokenError } from '../../src/auth/principal.js';
import type { VerifyAccessToken } from '../../src/auth/verify-token.js';
import { SYSTEM_PRINCIPAL } from './principals.js';
import type { Principal } from '../../src/auth/principal.js';
import { liveSourceDirectory, type SourceSystemInfo } from '../../src/patient-app/model/sources.js';
import { listSourceDeliveries } from '../../src/store/source-deliveries.js';
import { onlineLevelIn } from '../../src/access/policy.js';
import { registerPatientApp } from '../../src/patient-app/register-patient-app.js';
import { patientAppClient } from '../../src/patient-app/session/oauth-client.js';
import { AuthStore } from '../../src/store/auth-store.js';
import type { Database } from '../../src/store/database.js';
import type { FhirStore } from '../../src/store/fhir-store.js';
import { formAction, inputValue, TestBrowser } from './auth-app.js';
import { GP, LAB_A, LAB_B, patientFixture, TRUST } from './patient-fixture.js';
import { openTestDatabase } from './test-store.js';

export const PASSWORD = 'correct horse battery staple';

/** The fixture's source systems. */
export const FIXTURE_SOURCES: SourceSystemInfo[] = [
  { uri: GP, name: 'your GP practice, Lindley Medical Centre', kind: 'gp', organisation: { odsCode: 'A99001', name: 'Lindley Medical Centre' }, status: 'connected' },
  { uri: TRUST, name: 'Leeds Teaching Hospitals', kind: 'hospital', organisation: { odsCode: 'R9A', name: 'Leeds Teaching Hospitals' }, status: 'connected' },
  { uri: LAB_A, name: 'Calderdale Pathology (laboratory)', kind: 'laboratory', organisation: { odsCode: 'R9A01', name: 'Calderdale Pathology' }, status: 'connected' },
  { uri: LAB_B, name: 'Airedale Laboratory', kind: 'laboratory', status: 'connected' },
  { uri: 'https://tessera.example/systems/patient-app', name: 'you, through this app', kind: 'app', status: 'connected' },
  { uri: 'https://tessera.example/systems/dental', name: 'your dentist', kind: 'other', status: 'not-connected' },
];

/** The running test app. */
export interface PatientAppTest {
  app: FastifyInstance;
  db: Database;
  store: FhirStore;
  auth: Auth;
  publicUrl: string;
  /** A FHIR request as `principal` (default: a backend system), straight to the router. */
  fhir(method: string, url: string, body?: unknown, principal?: Principal): Promise<{ status: number; body: any }>;
  /** Writes the audit records queued so far. */
  flushAudit(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the app; `publicUrl` must be the origin the browser uses. */
export async function createPatientAppTest(opts: { publicUrl?: string; now?: () => Date; env?: Record<string, string> } = {}): Promise<PatientAppTest> {
  const db = await openTestDatabase('pglite');
  const store = createStore(db);
  const publicUrl = opts.publicUrl ?? 'http://tessera.test';
  const log = pino({ level: process.env.TEST_PATIENT_APP_LOG ?? 'silent' });
  const access = new AccessResolver(db);
  const audit = auditSinks(db, log, { intervalMs: 5 });
  const router = new FhirRouter({ store, resourceTypes: RESOURCE_TYPES, operations: buildOperations({ store, access, audit, now: () => new Date() }), access, audit });
  let verify: VerifyAccessToken | undefined;
  const app = await buildServer({
    router, logger: log, bodyLimit: 1024 * 1024, isReady: () => true, baseUrl: publicUrl,
    authenticate: async (authorization) => {
      if (!verify) throw new TokenError('missing');
      return verify(bearerToken(authorization));
    },
  });
  const auth = await registerAuth(app, {
    db, config: loadAuthConfig(opts.env ?? {}), publicUrl, log, isResourceType: isKnownResourceType, builtinClients: [patientAppClient(publicUrl)],
  });
  await registerPatientApp(app, {
    router, verifyAccessToken: auth.verifyAccessToken, authStore: auth.store, publicUrl, issuer: auth.issuer, fhirBase: auth.fhirBase,
    sources: liveSourceDirectory(FIXTURE_SOURCES, () => listSourceDeliveries(db), opts.now, 0), log,
    onlineLevel: async (principal, patientId) => onlineLevelIn((await access.resolve(principal)).policy, patientId), ...(opts.now ? { now: opts.now } : {}),
  });
  verify = auth.verifyAccessToken;
  await app.ready();
  const res = await router.handle({ method: 'POST', path: '/', query: [], headers: { 'content-type': 'application/fhir+json' }, body: patientFixture(), baseUrl: `${publicUrl}/fhir`, principal: SYSTEM_PRINCIPAL });
  if (res.status !== 200) throw new Error(`fixture failed: ${(res.body ?? '').slice(0, 500)}`);
  const users = new AuthStore(db);
  const hash = await hashPassword(PASSWORD);
  const annId = randomUUID();
  await users.createUser({ id: annId, username: 'ann', displayName: 'Ann Example', role: 'carer', passwordHash: hash, fhirUser: 'Patient/ann-gp' });
  await users.setProxyRelationship({ carerUserId: annId, patientId: 'tom', permissions: ['record', 'appointments'] });
  await store.update({ resourceType: 'Patient', id: 'bob', name: [{ family: 'Empty', given: ['Bob'] }] } as never);
  await users.createUser({ id: randomUUID(), username: 'bob', displayName: 'Bob Empty', role: 'patient', passwordHash: hash, fhirUser: 'Patient/bob' });
  await users.createUser({ id: randomUUID(), username: 'drgp', displayName: 'Dr Gee', role: 'gp', passwordHash: hash, fhirUser: 'Practitioner/gp-1' });
  return {
    app, db, store, auth, publicUrl,
    async fhir(method, url, body, principal = SYSTEM_PRINCIPAL) {
      const [path = '', q = ''] = url.split('?', 2);
      const res = await router.handle({
        method, path: path.replace(/^\/fhir/, '') || '/', query: [...new URLSearchParams(q)] as [string, string][], baseUrl: `${publicUrl}/fhir`, principal,
        headers: body !== undefined ? { 'content-type': 'application/fhir+json' } : {}, ...(body !== undefined ? { body } : {}),
      });
      return { status: res.status, body: res.body ? JSON.parse(res.body) : undefined };
    },
    flushAudit: () => audit.writer.flush(),
    async close() {
      await app.close();
      await audit.close();
      await db.close();
    },
  };
}

/**
 * Signs in through the real flow (sign-in page, then straight back through the callback: the
 * app is a first-party client, so there is no consent page); returns the browser on the home page.
 */
export async function signIn(t: PatientAppTest, username: string): Promise<{ browser: TestBrowser; home: LightMyRequestResponse }> {
  const browser = new TestBrowser(t.app, t.publicUrl);
  const login = await browser.follow(await browser.get('/patient/auth/sign-in'));
  expect(login.statusCode).toBe(200);
  const home = await browser.follow(await browser.postForm(formAction(login.body), { csrf: inputValue(login.body, 'csrf')!, username, password: PASSWORD }));
  expect(home.body).not.toContain('name="decision"');
  return { browser, home };
}

/**
 * A patient app for the tests of one `describe` block, with `username` signed in: created before
 * them and closed after. Use `app.t` and `app.browser` inside the tests (set once set-up has run).
 */
export function usePatientAppSignedIn(username: string): { t: PatientAppTest; browser: TestBrowser } {
  const app = {} as { t: PatientAppTest; browser: TestBrowser };
  beforeAll(async () => {
    app.t = await createPatientAppTest();
    ({ browser: app.browser } = await signIn(app.t, username));
  });
  afterAll(async () => app.t?.close());
  return app;
}
