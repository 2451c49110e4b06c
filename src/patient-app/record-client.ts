/**
 * The patient app's only way to read and write the record: FHIR requests through the FHIR
 * router, made as the signed-in person (their verified `Principal`), so every access rule —
 * own record, proxy access, redaction, withheld items, audit — is enforced in one place, the
 * router's access layer. Nothing here touches the store.
 *
 * @see https://hl7.org/fhir/R4/http.html
 */
import type { Principal } from '../auth/principal.js';
import type { Bundle, OperationOutcome, Resource } from '../fhir/types.js';
import type { FhirRequest, FhirResponse } from '../http/fhir-types.js';

/** Anything that answers FHIR requests like the router. */
export interface FhirHandler {
  handle(req: FhirRequest): Promise<FhirResponse>;
}

/** A FHIR request that did not succeed: its status and OperationOutcome (never shown to people as is). */
export class RecordRequestError extends Error {
  constructor(readonly status: number, readonly outcome: OperationOutcome | undefined, what: string) {
    super(`${what} answered ${status}`);
    this.name = 'RecordRequestError';
  }
}

/** Search, read and write resources as one person. */
export interface RecordClient {
  /** All matches of a search (following `next` links, up to `limit`). */
  search(type: string, params: [string, string][], limit?: number): Promise<Resource[]>;
  /** All matches in a patient's compartment (which covers every record linked to them). */
  searchPatient(patientId: string, type: string, params?: [string, string][], limit?: number): Promise<Resource[]>;
  /**
   * A patient's whole record (every record linked to them) of the given types, in one request
   * (`Patient/{id}/$everything?_type=…`).
   */
  everything(patientId: string, types: readonly string[]): Promise<Resource[]>;
  /** Who accessed the patient's record, newest first, from the audit trail (`Patient/{id}/$access-log`). */
  accessLog(patientId: string, limit?: number): Promise<Resource[]>;
  /** One resource, or undefined when it does not exist or the person may not see it. */
  read(type: string, id: string): Promise<Resource | undefined>;
  create<T extends Resource>(resource: T): Promise<T>;
  update<T extends Resource>(resource: T): Promise<T>;
}

const PAGE = 500;

/** Creates a client acting as `principal`. `baseUrl` is the FHIR base (e.g. `https://x/fhir`). */
export function createRecordClient(router: FhirHandler, principal: Principal, baseUrl: string): RecordClient {
  const base = baseUrl.replace(/\/$/, '');
  const headers = { accept: 'application/fhir+json' };

  async function call(method: string, path: string, query: [string, string][], body?: Resource): Promise<FhirResponse> {
    const req: FhirRequest = {
      method, path, query, baseUrl: base, principal,
      headers: body ? { ...headers, 'content-type': 'application/fhir+json', prefer: 'return=representation' } : headers,
      ...(body ? { body } : {}),
    };
    return router.handle(req);
  }

  function parse<T>(res: FhirResponse): T | undefined {
    return res.body ? (JSON.parse(res.body) as T) : undefined;
  }

  function fail(res: FhirResponse, what: string): never {
    let outcome: OperationOutcome | undefined;
    try {
      outcome = parse<OperationOutcome>(res);
    } catch {
      outcome = undefined;
    }
    throw new RecordRequestError(res.status, outcome, what);
  }

  async function searchPath(path: string, params: [string, string][], limit: number): Promise<Resource[]> {
    const out: Resource[] = [];
    let query: [string, string][] = [...params.filter(([k]) => k !== '_count'), ['_count', String(Math.min(PAGE, limit))]];
    for (let page = 0; page < 100 && out.length < limit; page++) {
      const res = await call('GET', path, query);
      if (res.status !== 200) fail(res, `GET ${path}`);
      const bundle = parse<Bundle>(res)!;
      for (const e of bundle.entry ?? []) {
        if (e.resource && e.search?.mode !== 'include' && e.search?.mode !== 'outcome') out.push(e.resource);
      }
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      const u = new URL(next);
      query = [...u.searchParams.entries()];
    }
    return out.slice(0, limit);
  }

  return {
    search: (type, params, limit = 5000) => searchPath(`/${type}`, params, limit),
    searchPatient: (patientId, type, params = [], limit = 5000) => searchPath(`/Patient/${encodeURIComponent(patientId)}/${type}`, params, limit),
    async everything(patientId, types) {
      const path = `/Patient/${encodeURIComponent(patientId)}/$everything`;
      const res = await call('GET', path, types.length ? [['_type', types.join(',')]] : []);
      if (res.status !== 200) fail(res, 'GET $everything');
      return (parse<Bundle>(res)!.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r && types.includes(r.resourceType));
    },
    accessLog: (patientId, limit = 100) => searchPath(`/Patient/${encodeURIComponent(patientId)}/$access-log`, [], limit),
    async read(type, id) {
      const res = await call('GET', `/${type}/${encodeURIComponent(id)}`, []);
      if (res.status === 404 || res.status === 410 || res.status === 403) return undefined;
      if (res.status !== 200) fail(res, `GET ${type}`);
      return parse<Resource>(res);
    },
    async create(resource) {
      const res = await call('POST', `/${resource.resourceType}`, [], resource);
      if (res.status !== 201 && res.status !== 200) fail(res, `POST ${resource.resourceType}`);
      return parse(res)!;
    },
    async update(resource) {
      const res = await call('PUT', `/${resource.resourceType}/${encodeURIComponent(resource.id ?? '')}`, [], resource);
      if (res.status !== 200 && res.status !== 201) fail(res, `PUT ${resource.resourceType}`);
      return parse(res)!;
    },
  };
}
