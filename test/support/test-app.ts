/**
 * An in-process Tessera over a fresh database on either engine, for HTTP tests through Fastify's
 * `inject()` (no ports).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { RESOURCE_TYPES } from '../../src/fhir/validation/index.js';
import { FhirRouter } from '../../src/http/fhir-router.js';
import { buildServer } from '../../src/http/server.js';
import type { Authenticate } from '../../src/http/fastify-adapter.js';
import { SYSTEM_PRINCIPAL } from './principals.js';
import { createStore, type StoreOptions } from '../../src/main.js';
import { buildOperations } from '../../src/operations/index.js';
import { AccessResolver } from '../../src/store/caller-access.js';
import { auditSinks } from '../../src/store/audit-log.js';
import type { Database } from '../../src/store/database.js';
import type { FhirStore } from '../../src/store/fhir-store.js';
import { openTestDatabase, type Engine } from './test-store.js';

/** A test instance. */
export interface TestApp {
  app: FastifyInstance;
  db: Database;
  store: FhirStore;
  close(): Promise<void>;
  /** Writes the audit records queued so far. */
  flushAudit(): Promise<void>;
  /** The access resolver (e.g. to forget remembered decisions after changing the database directly). */
  access: AccessResolver;
  /** JSON request helper: returns status, headers and parsed body. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: LightMyRequestResponse['headers']; body: any }>;
}

/** Options of a test app. */
export interface TestAppOptions {
  /**
   * Establishes the caller from the Authorization header. The default treats every request as
   * coming from a backend system with every scope, so API tests need no tokens.
   */
  authenticate?: Authenticate;
  /** Store options (e.g. check for changed SearchParameters on every request). */
  store?: StoreOptions;
}

/** Builds a test app on `engine`. */
export async function createTestApp(engine: Engine, opts: TestAppOptions = {}): Promise<TestApp> {
  const db = await openTestDatabase(engine);
  const store = createStore(db, opts.store);
  const access = new AccessResolver(db);
  const audit = auditSinks(db, pino({ level: 'silent' }), { intervalMs: 5 });
  const router = new FhirRouter({ store, resourceTypes: RESOURCE_TYPES, operations: buildOperations({ store, access, now: () => new Date(), audit }), access, audit });
  const authenticate = opts.authenticate ?? (async () => SYSTEM_PRINCIPAL);
  const app = await buildServer({ router, logger: pino({ level: 'silent' }), bodyLimit: 1024 * 1024, isReady: () => true, baseUrl: 'http://tessera.test', authenticate });
  await app.ready();
  return {
    app, db, store,
    async close() {
      await app.close();
      await audit.close();
      await db.close();
    },
    flushAudit: () => audit.writer.flush(),
    access,
    async call(method, url, body, headers = {}) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: body !== undefined ? { 'content-type': 'application/fhir+json', ...headers } : headers,
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        parsed = res.body;
      }
      return { status: res.statusCode, headers: res.headers, body: parsed };
    },
  };
}
