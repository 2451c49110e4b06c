/**
 * Mounts the FHIR router on Fastify at `/fhir`. Bodies arrive as text and are parsed here, so
 * malformed JSON is a 400 OperationOutcome; oversized bodies are a 413; anything unexpected is a
 * 500 that shows only a request id (the detail goes to the log).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, OperationOutcomeError, outcomeOf, issue } from '../fhir/outcome.js';
import type { FhirRouter } from './fhir-router.js';
import type { FhirRequest, FhirResponse } from './fhir-types.js';
import type { Principal } from '../auth/principal.js';

/**
 * Establishes the caller from the `Authorization` header: resolves to their Principal or throws
 * an OperationOutcomeError (401/403 with `WWW-Authenticate`).
 */
export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

const FHIR_BASE = '/fhir';

/** Sends a router response through Fastify. */
function send(reply: FastifyReply, res: FhirResponse): FastifyReply {
  reply.code(res.status);
  for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
  return res.body === undefined ? reply.send() : reply.send(res.body);
}

/** Converts an error to an OperationOutcome response, logging what the client must not see. */
export function errorResponse(err: unknown, req: FastifyRequest): FhirResponse {
  if (err instanceof OperationOutcomeError) {
    return { status: err.status, headers: { 'content-type': 'application/fhir+json; charset=utf-8', ...err.headers }, body: JSON.stringify(err.outcome) };
  }
  const e = err as { statusCode?: number; code?: string; message?: string };
  let status = 500;
  let body = outcomeOf([issue('exception', `Internal error; quote request id ${req.id}`)]);
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    status = 413;
    body = outcomeOf([issue('too-long', 'The request body is larger than this server accepts')]);
  } else if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    status = 415;
    body = outcomeOf([issue('not-supported', 'Unsupported Content-Type; send application/fhir+json')]);
  } else if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    status = 400;
    body = outcomeOf([issue('invalid', 'The request body is empty or its length is wrong')]);
  } else if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    status = e.statusCode;
    body = outcomeOf([issue('invalid', 'The request could not be read')]);
  } else {
    req.log.error({ err }, 'unhandled error');
  }
  return { status, headers: { 'content-type': 'application/fhir+json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** The absolute FHIR base URL for a request. */
function baseUrlOf(req: FastifyRequest, configured?: string): string {
  if (configured) return `${configured.replace(/\/$/, '')}${FHIR_BASE}`;
  const host = req.headers.host ?? 'localhost';
  return `${req.protocol}://${host}${FHIR_BASE}`;
}

/** Registers content parsers and the `/fhir/*` routes. */
export function mountFhir(app: FastifyInstance, router: FhirRouter, opts: { baseUrl?: string; authenticate: Authenticate }): void {
  // Keep every body as text and parse it ourselves: JSON errors become OperationOutcomes, and
  // non-JSON types reach the router, which answers 415 with a clear message.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const url = req.raw.url ?? '';
      const qIndex = url.indexOf('?');
      const pathPart = (qIndex >= 0 ? url.slice(0, qIndex) : url).slice(FHIR_BASE.length);
      const query = qIndex >= 0 ? ([...new URLSearchParams(url.slice(qIndex + 1))] as [string, string][]) : [];
      // Node already lower-cases header names; only set-cookie can be an array, and the router never reads it.
      const headers = req.headers as Record<string, string | undefined>;
      let body: unknown;
      if (typeof req.body === 'string' && req.body.length > 0) {
        const ct = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (ct === 'application/x-www-form-urlencoded') body = [...new URLSearchParams(req.body)];
        else if (ct.includes('json')) {
          try {
            body = JSON.parse(req.body);
          } catch (err) {
            return send(reply, errorResponse(badRequest(`The body is not valid JSON: ${(err as Error).message}`), req));
          }
        } else body = req.body;
      }
      const fhirReq: FhirRequest = { method: req.method === 'HEAD' ? 'GET' : req.method, path: pathPart || '/', query, headers, body, baseUrl: baseUrlOf(req, opts.baseUrl), sourceIp: req.ip };
      // The CapabilityStatement is public (apps discover the sign-in endpoints from it).
      const isPublic = fhirReq.path === '/metadata' && headers.authorization === undefined;
      if (!isPublic) {
        try {
          fhirReq.principal = await opts.authenticate(headers.authorization);
        } catch (err) {
          return send(reply, errorResponse(err, req));
        }
      }
      const res = await router.handle(fhirReq);
      return send(reply, res);
  };
  const methods: ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  app.route({ method: methods, url: `${FHIR_BASE}/*`, handler });
  app.route({ method: methods, url: FHIR_BASE, handler });
}
