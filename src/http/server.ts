/**
 * Builds the Fastify server: the FHIR API, health check, landing page, and one error handler.
 * Pure assembly: everything it serves is passed in.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FhirRouter } from './fhir-router.js';
import { errorResponse, mountFhir, type Authenticate } from './fastify-adapter.js';
import { landingPage } from './landing-page.js';
import { registerCalculatorApi } from './calculator-api.js';

/** What the server needs. */
export interface ServerDeps {
  router: FhirRouter;
  logger: Logger;
  bodyLimit: number;
  baseUrl?: string;
  /** Reports readiness for `/healthz`. */
  isReady: () => boolean;
  /** Verifies each FHIR request's bearer token. */
  authenticate: Authenticate;
}

/** Creates the server (not yet listening). */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    // Request ids are returned to the client on 500s, so they must not be guessable sequence numbers.
    genReqId: () => crypto.randomUUID(),
  });
  app.setErrorHandler((err, req, reply) => {
    const res = errorResponse(err, req);
    reply.code(res.status).headers(res.headers).send(res.body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).header('content-type', 'application/fhir+json; charset=utf-8').send(
      JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `No route for ${req.method} ${req.url.split('?')[0]}` }] }),
    );
  });
  app.get('/healthz', async (_req, reply) => {
    if (!deps.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(landingPage()));
  mountFhir(app, deps.router, { authenticate: deps.authenticate, ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}) });
  registerCalculatorApi(app, deps.baseUrl ? { serverUrl: deps.baseUrl } : {});
  return app;
}
