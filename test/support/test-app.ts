/**
 * An in-process Tessera over a fresh database on either engine, for HTTP tests through Fastify's
 * `inject()` (no ports).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { RESOURCE_TYPES } from '../../src/fhir/validation/index.js';
import { FhirRouter } from '../../src/http/fhir-router.js';
import { buildServer } from '../../src/http/server.js';
import { createStore } from '../../src/main.js';
import { buildOperations } from '../../src/operations/index.js';
import type { Database } from '../../src/store/database.js';
import type { FhirStore } from '../../src/store/fhir-store.js';
import { openTestDatabase, type Engine } from './test-store.js';

/** A test instance. */
export interface TestApp {
  app: FastifyInstance;
  db: Database;
  store: FhirStore;
  close(): Promise<void>;
  /** JSON request helper: returns status, headers and parsed body. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: LightMyRequestResponse['headers']; body: any }>;
}

/** Builds a test app on `engine`. */
export async function createTestApp(engine: Engine): Promise<TestApp> {
  const db = await openTestDatabase(engine);
  const store = createStore(db);
  const router = new FhirRouter({ store, resourceTypes: RESOURCE_TYPES, operations: buildOperations({ store, now: () => new Date() }) });
  const app = await buildServer({ router, logger: pino({ level: 'silent' }), bodyLimit: 1024 * 1024, isReady: () => true, baseUrl: 'http://tessera.test' });
  await app.ready();
  return {
    app, db, store,
    async close() {
      await app.close();
      await db.close();
    },
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
