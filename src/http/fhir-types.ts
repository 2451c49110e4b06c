import type { Principal } from '../auth/principal.js';

/**
 * The framework-free request and response the FHIR router works with; the Fastify adapter
 * converts to and from these, so the router can be tested and reused without a server.
 */

/** A FHIR REST request, already split into parts. */
export interface FhirRequest {
  method: string;
  /** Path below the FHIR base, starting with `/` (e.g. `/Patient/1/_history/2`). */
  path: string;
  /** Query parameters in order, repeated keys kept. */
  query: [string, string][];
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON body, or form pairs for `_search`. */
  body?: unknown;
  /** Absolute base URL of the FHIR endpoint, e.g. `http://localhost:8080/fhir`. */
  baseUrl: string;
  /**
   * Who is asking, as established from their access token. The router answers only what this
   * caller may see; a request without one is refused.
   */
  principal?: Principal;
  /** The client's network address as the server saw it (for the audit trail). */
  sourceIp?: string;
}

/** A FHIR REST response; `body` is JSON text. */
export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}
