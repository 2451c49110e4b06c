/**
 * The FHIR RESTful API as a plain function: request in, response out. No HTTP framework here;
 * `fastify-adapter.ts` maps Fastify to it. Every client error becomes an OperationOutcome with
 * the right status.
 *
 * @see https://hl7.org/fhir/R4/http.html
 */
import { allOk, badRequest, forbidden, gone, methodNotAllowed, notAcceptable, notFound, OperationOutcomeError, unsupportedMediaType } from '../fhir/outcome.js';
import { TokenError, type Principal } from '../auth/principal.js';
import { callerMay, type Permission } from '../auth/scopes.js';
import type { AccessResolver, CallerAccess } from '../store/caller-access.js';
import { RequestAudit, type AuditSinks } from './request-audit.js';
import { DIRECTORY_TYPES } from '../access/directory-types.js';
import { REVIEW_TYPES, reviewMarkers } from '../access/access-entries.js';
import { onlineLevelOf } from '../access/online-level.js';
import { asSeenBy } from '../access/policy.js';
import { applySummary, selectElements } from '../fhir/summary.js';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.js';
import { isObject } from '../fhir/types.js';
import { parseSearch } from '../search/parse-search.js';
import type { SearchRequest } from '../search/search-request.js';
import type { SqlClient } from '../store/database.js';
import type { FhirStore } from '../store/fhir-store.js';
import { applyJsonPatch } from '../store/json-patch.js';
import { processBatch, processTransaction } from '../store/bundle-processor.js';
import { etagOf, parseEtag, type ResourceVersion } from '../store/resource-version.js';
import { ID_RE } from '../store/write-session.js';
import { capabilityStatement, type OperationListing } from './capability-statement.js';
import type { FhirRequest, FhirResponse } from './fhir-types.js';

/**
 * A FHIR operation handler (`$everything`, calculators, …). `access` is the caller's: handlers
 * pass its `visible` condition to every store read.
 */
export type OperationHandler = (req: FhirRequest, target: { type?: string; id?: string }, access: Caller) => Promise<FhirResponse>;

/** An operation as the router runs it. */
export interface OperationEntry {
  handler: OperationHandler;
  listing: OperationListing;
  /**
   * Who checks that the caller may reach the target record (`Type/id/$op`):
   * - `router` (the default): the router checks the read scope and reads the target with the
   *   caller's visibility first — unseen answers as unknown;
   * - `handler-reads`: the router checks the scope; the handler reads the target with the
   *   caller's `visible` itself (one query fewer) and answers an unseen one as unknown;
   * - `handler`: the handler decides everything itself, for records the caller cannot see yet
   *   (breaking the glass): no scope check, no read.
   */
  targetAccess?: 'router' | 'handler-reads' | 'handler';
}

/** Dependencies of the router. */
export interface RouterDeps {
  store: FhirStore;
  resourceTypes: readonly string[];
  operations?: Map<string, OperationEntry>;
  /** Binds each request's verified caller to what they may see. */
  access: AccessResolver;
  /** The audit trail (absent: nothing is audited, e.g. the insecure open benchmark mode). */
  audit?: AuditSinks;
  now?: () => Date;
}

/**
 * The caller of one request: what they may see (`CallerAccess`, passed to every store call) and
 * the audit trail the request is building.
 */
export type Caller = CallerAccess & { audit: RequestAudit };


/** Types whose writes can change access decisions (relationships, consent, demographics, links). */
const ACCESS_TYPES = new Set(['Patient', 'Encounter', 'EpisodeOfCare', 'ServiceRequest', 'CareTeam', 'Consent']);
/** Types that can carry an enhanced-review marker: they change only what patients may see. */
const REVIEW_TYPE_SET: ReadonlySet<string> = new Set(REVIEW_TYPES);

/** What each interaction needs of the scopes. */
const INTERACTION_NAMES: Record<Permission, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

const TYPE_RE = /^[A-Z][A-Za-z]+$/;
const JSON_CT = 'application/fhir+json; charset=utf-8';

type Prefer = 'minimal' | 'representation' | 'OperationOutcome';

function preferReturn(headers: FhirRequest['headers']): Prefer {
  const m = /return=(minimal|representation|OperationOutcome)/.exec(headers.prefer ?? '');
  return (m?.[1] as Prefer | undefined) ?? 'representation';
}

function isLenient(headers: FhirRequest['headers']): boolean {
  return /handling=lenient/.test(headers.prefer ?? '');
}

/** JSON response with the FHIR content type. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): FhirResponse {
  return { status, headers: { 'content-type': JSON_CT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Headers describing a version: ETag, Last-Modified. */
function versionHeaders(v: ResourceVersion): Record<string, string> {
  return { etag: etagOf(v), 'last-modified': v.lastUpdated.toUTCString() };
}

/** Checks the Accept header / `_format`: JSON only. */
function checkAccept(req: FhirRequest): void {
  const format = req.query.find(([k]) => k === '_format')?.[1];
  if (format && !/json/i.test(format)) throw notAcceptable(`Only JSON is available; _format=${format} cannot be produced`);
  const accept = req.headers.accept;
  if (!accept) return;
  const ok = accept.split(',').some((part) => {
    const t = part.split(';')[0]!.trim().toLowerCase();
    return t === '*/*' || t === 'application/*' || t.includes('json') || t === '';
  });
  if (!ok) throw notAcceptable(`Only application/fhir+json is available, not ${accept}`);
}

/** Checks the body's content type for writes. */
function checkContentType(req: FhirRequest, allowPatch = false): void {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/fhir+json' || ct === 'application/json') return;
  if (allowPatch && ct === 'application/json-patch+json') return;
  throw unsupportedMediaType(ct ? `Content-Type ${ct} is not supported; send application/fhir+json` : 'Content-Type is missing; send application/fhir+json');
}

function bodyResource(req: FhirRequest, type?: string): Resource {
  const body = req.body;
  if (!isObject(body) || typeof body.resourceType !== 'string') throw badRequest('The body must be a FHIR resource with a resourceType', 'resourceType');
  if (type && body.resourceType !== type) throw badRequest(`The body is a ${body.resourceType} but the URL names ${type}`, 'resourceType');
  return body as Resource;
}

/** The router. */
export class FhirRouter {
  private readonly store: FhirStore;
  private readonly types: Set<string>;
  private readonly operations: Map<string, OperationEntry>;

  constructor(private readonly deps: RouterDeps) {
    this.store = deps.store;
    this.types = new Set(deps.resourceTypes);
    this.operations = deps.operations ?? new Map();
  }

  /** Handles one request; never throws for client errors (they become OperationOutcomes). */
  async handle(req: FhirRequest): Promise<FhirResponse> {
    try {
      checkAccept(req);
      // Custom SearchParameters may have changed on another node (at most one cheap check a second).
      await this.store.refreshRegistry();
      return await this.route(req);
    } catch (err) {
      if (err instanceof OperationOutcomeError) return json(err.status, err.outcome, err.headers);
      throw err;
    }
  }

  private assertType(type: string): void {
    if (!this.types.has(type)) throw notFound(`Unknown resource type '${type}'`);
  }

  private async route(req: FhirRequest): Promise<FhirResponse> {
    const segs = req.path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
    const m = req.method.toUpperCase();
    if (segs.length === 1 && segs[0] === 'metadata') {
      if (m !== 'GET') throw methodNotAllowed('metadata is read-only');
      return json(200, capabilityStatement(this.store.registry, [...this.types].sort(), req.baseUrl, [...this.operations.values()].map((o) => o.listing)));
    }
    // Everything but the CapabilityStatement needs a caller (https://hl7.org/fhir/smart-app-launch/).
    if (!req.principal) throw new TokenError('missing');
    const resolved = await this.deps.access.resolve(req.principal);
    const now = this.deps.now ?? (() => new Date());
    const access: Caller = { ...resolved, audit: new RequestAudit(this.deps.audit, req.principal, resolved.displayName, resolved.organizationName, now, req.sourceIp) };
    let status = 500;
    try {
      const res = await this.routeFor(req, access, segs, m);
      status = res.status;
      // A write that can change who may see what is seen by this node's next request at once.
      if (m !== 'GET' && res.status < 400) {
        if (segs.length === 0 || ACCESS_TYPES.has(segs[0]!)) this.deps.access.forget();
        else if (REVIEW_TYPE_SET.has(segs[0]!)) this.deps.access.forget('public-facts');
      }
      return res;
    } catch (err) {
      if (err instanceof OperationOutcomeError) status = err.status;
      throw err;
    } finally {
      access.audit.finish(status);
    }
  }

  private async routeFor(req: FhirRequest, access: Caller, segs: string[], m: string): Promise<FhirResponse> {
    const [a, b, c, d] = segs;
    if (segs.length === 0) {
      if (m === 'POST') return this.bundle(req, access);
      throw methodNotAllowed(`${m} is not allowed on the base URL`);
    }
    if (a === '_history' && segs.length === 1 && m === 'GET') return this.history(req, access, {});
    if (a?.startsWith('$')) return this.operation(req, access, a, {});
    if (!TYPE_RE.test(a!)) throw notFound(`Unknown path /${segs.join('/')}`);
    this.assertType(a!);
    const type = a!;
    if (segs.length === 1) {
      if (m === 'GET') return this.search(req, access, type);
      if (m === 'POST') return this.create(req, access, type);
      if (m === 'PUT') return this.conditionalUpdate(req, access, type);
      if (m === 'DELETE') return this.conditionalDelete(req, access, type);
      throw methodNotAllowed(`${m} is not allowed on /${type}`);
    }
    if (b === '_search' && segs.length === 2 && m === 'POST') return this.search(req, access, type, true);
    if (b === '_history' && segs.length === 2 && m === 'GET') return this.history(req, access, { type });
    if (b!.startsWith('$')) return this.operation(req, access, b!, { type });
    if (!ID_RE.test(b!)) throw badRequest(`'${b}' is not a valid id`, `${type}.id`);
    const id = b!;
    if (segs.length === 2) {
      if (m === 'GET') return this.read(req, access, type, id);
      if (m === 'PUT') return this.update(req, access, type, id);
      if (m === 'PATCH') return this.patch(req, access, type, id);
      if (m === 'DELETE') return this.delete(req, access, type, id);
      throw methodNotAllowed(`${m} is not allowed on /${type}/${id}`);
    }
    if (c === '_history') {
      if (m !== 'GET') throw methodNotAllowed('History is read-only');
      if (segs.length === 3) return this.history(req, access, { type, id });
      if (segs.length === 4) return this.vread(req, access, type, id, d!);
    }
    if (c!.startsWith('$') && segs.length === 3) return this.operation(req, access, c!, { type, id });
    if (type === 'Patient' && segs.length === 3 && TYPE_RE.test(c!) && m === 'GET') {
      this.assertType(c!);
      return this.search(req, access, c!, false, { type: 'Patient', id });
    }
    throw notFound(`Unknown path /${segs.join('/')}`);
  }

  private async operation(req: FhirRequest, access: Caller, name: string, target: { type?: string; id?: string }): Promise<FhirResponse> {
    const op = this.operations.get(name.slice(1));
    if (!op) throw notFound(`Operation ${name} is not supported`);
    access.audit.action = name === '$everything' ? 'everything' : 'operation';
    access.audit.query = `${target.type ? `${target.type}/` : ''}${target.id ? `${target.id}/` : ''}${name}${req.query.length ? `?${new URLSearchParams(req.query)}` : ''}`;
    if (target.type === 'Patient' && target.id) access.audit.patient(target.id);
    // An operation on a resource needs to be able to read it: unseen reads as unknown.
    const targetAccess = op.targetAccess ?? 'router';
    if (target.type && target.id && targetAccess !== 'handler') {
      this.requireScope(access, target.type, 'r');
    }
    if (target.type && target.id && targetAccess === 'router' && access.policy.kind !== 'unrestricted') {
      const cur = await this.store.readCurrent(target.type, target.id, undefined, access.visible);
      if (!cur || cur.deleted) throw notFound(`${target.type}/${target.id} is not known`);
    }
    return op.handler({ ...req, principal: access.principal }, target, access);
  }

  /** 403 unless the caller's scopes grant `permission` on `type` (SMART App Launch 2.0). */
  private requireScope(access: Caller, type: string, permission: Permission): void {
    if (this.scopeAllows(access, type, permission)) return;
    throw forbidden(`The access token's scopes do not allow ${INTERACTION_NAMES[permission]} on ${type}`);
  }

  /** True when the caller's scopes grant `permission` on `type`. */
  private scopeAllows(access: Caller, type: string, permission: Permission): boolean {
    const p = access.principal;
    return callerMay(p, type, permission);
  }

  /** Bundles and conditional writes match across records: for backend systems only, for now. */
  private requireUnrestricted(access: Caller, what: string): void {
    if (access.policy.kind !== 'unrestricted') throw forbidden(`${what} is available to backend systems only`);
  }

  /**
   * Checks that the caller may write `resource`: patient data only into records they may see
   * (a write into an unknown record and into one they may not see get the same answer), and
   * directory data only by staff and systems. `current`: the stored version being replaced, as
   * {@link authorizeExisting} read it (none for a create).
   */
  private async authorizeWrite(access: Caller, resource: Resource, isNew: boolean, current?: ResourceVersion): Promise<void> {
    const policy = access.policy;
    if (policy.kind === 'unrestricted') return;
    const registry = this.store.registry;
    const type = resource.resourceType;
    // A SearchParameter changes search for everyone and reindexes a whole type: administrators' business.
    if (type === 'SearchParameter') throw forbidden('Only backend systems may define search parameters');
    if (DIRECTORY_TYPES.has(type)) {
      if (policy.kind !== 'staff') throw forbidden(`Only staff and backend systems may write ${type} resources`);
      return;
    }
    // Staff register new patients; the registration itself creates the relationship.
    if (type === 'Patient' && isNew && policy.kind === 'staff') return;
    if (policy.kind === 'patient') this.guardPracticeDecisions(type, current, resource);
    const keys = registry.patientKeys(resource);
    if (keys.length === 0) throw forbidden(`A ${type} must refer to the patient whose record it belongs to`);
    for (const k of keys) {
      if (!(await this.deps.access.canSeePatient(access, k))) throw forbidden(`You may not write to the record of Patient/${k}`);
    }
  }

  /**
   * Decisions that are the GP practice's, not the patient's, carried in the record itself:
   * - the online access level on a Patient (`access/online-level.ts`);
   * - enhanced review markers (nhs-domain §3.3: SNOMED 1364731000000104 "indicated" and
   *   1364751000000106 "not indicated"), which hide a record's new entries until a clinician
   *   has reviewed them. A patient or carer writing "not indicated" would lift their own review.
   * A patient or carer may not set, change or remove either (nor delete what carries them).
   * `current`: the stored version (none when new); `next` undefined: a delete.
   */
  private guardPracticeDecisions(type: string, current: ResourceVersion | undefined, next: Resource | undefined): void {
    if (type !== 'Patient' && !REVIEW_TYPE_SET.has(type)) return;
    const before = current && !current.deleted ? (JSON.parse(current.json) as Record<string, unknown>) : undefined;
    if (type === 'Patient') {
      const levelBefore = before ? onlineLevelOf(before) : undefined;
      const levelAfter = next ? onlineLevelOf(next as Record<string, unknown>) : undefined;
      if (levelBefore !== levelAfter) throw forbidden('The online access level of a record is set by the GP practice, not through this app');
      return;
    }
    if ((before && reviewMarkers(before).length > 0) || (next && reviewMarkers(next as Record<string, unknown>).length > 0)) {
      throw forbidden('Enhanced review of a record is recorded by the GP practice, not through this app');
    }
  }

  /** Shapes a stored resource for output, honouring `_summary` and `_elements`. */
  private shape(jsonText: string, req: FhirRequest | SearchRequest): string {
    const summary = 'query' in req ? req.query.find(([k]) => k === '_summary')?.[1] : req.summary;
    const elements = 'query' in req ? req.query.find(([k]) => k === '_elements')?.[1]?.split(',') : req.elements;
    if (!summary && !elements) return jsonText;
    let r = JSON.parse(jsonText) as Resource;
    if (elements) r = selectElements(r, elements);
    if (summary && summary !== 'count') r = applySummary(r, summary as 'true' | 'text' | 'data' | 'false');
    return JSON.stringify(r);
  }

  /** https://hl7.org/fhir/R4/http.html#read */
  private async read(req: FhirRequest, access: Caller, type: string, id: string, client?: SqlClient): Promise<FhirResponse> {
    access.audit.action = 'read';
    this.requireScope(access, type, 'r');
    const v = await this.store.readCurrent(type, id, client, access.visible);
    if (!v) {
      await this.noteRefusal(access, type, id, client);
      throw notFound(`${type}/${id} is not known`);
    }
    access.audit.touched(type, id, v.patientId);
    if (v.deleted) return json(410, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted', diagnostics: `${type}/${id} has been deleted` }] }, versionHeaders(v));
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && parseEtag(inm) === v.versionId) return { status: 304, headers: versionHeaders(v) };
    const ims = req.headers['if-modified-since'];
    if (ims !== undefined) {
      const since = Date.parse(ims);
      if (!Number.isNaN(since) && Math.floor(v.lastUpdated.getTime() / 1000) <= Math.floor(since / 1000)) return { status: 304, headers: versionHeaders(v) };
    }
    return json(200, this.shape(asSeenBy(access.policy, v.json, v.patientId), req), versionHeaders(v));
  }

  /**
   * A read of something that exists but that the caller may not see answers as "not known", and
   * is audited as refused in that patient's trail (so they can see who tried).
   */
  private async noteRefusal(access: Caller, type: string, id: string, client?: SqlClient): Promise<void> {
    if (access.policy.kind === 'unrestricted') return;
    const any = await this.store.readCurrent(type, id, client);
    if (!any) return;
    access.audit.outcome = 'denied';
    access.audit.touched(type, id, any.patientId);
  }

  /** https://hl7.org/fhir/R4/http.html#vread */
  private async vread(req: FhirRequest, access: Caller, type: string, id: string, vid: string): Promise<FhirResponse> {
    access.audit.action = 'vread';
    this.requireScope(access, type, 'r');
    const cur = await this.store.readCurrent(type, id, undefined, access.visible);
    if (!cur) {
      await this.noteRefusal(access, type, id);
      throw notFound(`${type}/${id} is not known`);
    }
    access.audit.touched(type, `${id}/_history/${vid}`, cur.patientId);
    const v = await this.store.vread(type, id, vid);
    return json(200, this.shape(asSeenBy(access.policy, v.json, cur.patientId), req), versionHeaders(v));
  }

  private writeResponse(req: FhirRequest, v: ResourceVersion, status: number): FhirResponse {
    const headers = { ...versionHeaders(v), location: `${req.baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}` };
    const prefer = preferReturn(req.headers);
    if (prefer === 'minimal') return { status, headers };
    if (prefer === 'OperationOutcome') return json(status, allOk(`${v.resourceType}/${v.id} version ${v.versionId} stored`), headers);
    return json(status, v.json, headers);
  }

  /** https://hl7.org/fhir/R4/http.html#create */
  private async create(req: FhirRequest, access: Caller, type: string): Promise<FhirResponse> {
    access.audit.action = 'create';
    this.requireScope(access, type, 'c');
    checkContentType(req);
    const resource = bodyResource(req, type);
    const { id: _ignored, ...rest } = resource;
    const ifNoneExist = req.headers['if-none-exist'];
    if (ifNoneExist !== undefined) this.requireUnrestricted(access, 'Conditional create (If-None-Exist)');
    await this.authorizeWrite(access, rest as Resource, true);
    const { version, created } = await this.store.create(rest as Resource, ifNoneExist, access.audit.forWrite());
    return this.writeResponse(req, version, created ? 201 : 200);
  }

  /** https://hl7.org/fhir/R4/http.html#update */
  private async update(req: FhirRequest, access: Caller, type: string, id: string): Promise<FhirResponse> {
    access.audit.action = 'update';
    this.requireScope(access, type, 'u');
    checkContentType(req);
    const resource = bodyResource(req, type);
    if (resource.id === undefined) throw badRequest('The resource in an update must carry its id', `${type}.id`);
    if (resource.id !== id) throw badRequest(`The body id '${resource.id}' does not match the URL id '${id}'`, `${type}.id`);
    const current = await this.authorizeExisting(access, type, id);
    await this.authorizeWrite(access, resource, false, current);
    const ifMatch = this.ifMatch(req);
    const { version, created } = await this.store.update(resource, ifMatch, 'PUT', access.audit.forWrite());
    return this.writeResponse(req, version, created ? 201 : 200);
  }

  /**
   * A resource that exists but that the caller may not see must not be overwritten or deleted
   * by them: 404, as for a resource that does not exist. Returns the stored version the caller
   * may see (none if there is none; not read at all for unrestricted callers).
   */
  private async authorizeExisting(access: Caller, type: string, id: string): Promise<ResourceVersion | undefined> {
    if (access.policy.kind === 'unrestricted') return undefined;
    const seen = await this.store.readCurrent(type, id, undefined, access.visible);
    if (seen) return seen;
    // Only when the caller cannot see it: does it exist at all?
    if (await this.store.readCurrent(type, id)) throw notFound(`${type}/${id} is not known`);
    return undefined;
  }

  private ifMatch(req: FhirRequest): number | undefined {
    const raw = req.headers['if-match'];
    if (raw === undefined) return undefined;
    const v = parseEtag(raw);
    if (v === undefined) throw badRequest(`If-Match '${raw}' is not a version ETag such as W/"1"`, 'If-Match');
    return v;
  }

  /** https://hl7.org/fhir/R4/http.html#cond-update */
  private async conditionalUpdate(req: FhirRequest, access: Caller, type: string): Promise<FhirResponse> {
    access.audit.action = 'update';
    this.requireScope(access, type, 'u');
    this.requireUnrestricted(access, 'Conditional update');
    checkContentType(req);
    const resource = bodyResource(req, type);
    const query = new URLSearchParams(req.query).toString();
    if (!query) throw methodNotAllowed(`PUT on /${type} needs search criteria (conditional update)`);
    const { version, created } = await this.store.conditionalUpdate(resource, query, access.audit.forWrite());
    return this.writeResponse(req, version, created ? 201 : 200);
  }

  /** https://hl7.org/fhir/R4/http.html#patch (JSON Patch) */
  private async patch(req: FhirRequest, access: Caller, type: string, id: string): Promise<FhirResponse> {
    access.audit.action = 'patch';
    this.requireScope(access, type, 'u');
    checkContentType(req, true);
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (ct !== 'application/json-patch+json') throw unsupportedMediaType('PATCH takes application/json-patch+json');
    const cur = await this.store.readCurrent(type, id, undefined, access.visible);
    if (!cur) throw notFound(`${type}/${id} is not known`);
    if (cur.deleted) throw gone(`${type}/${id} has been deleted`);
    const ifMatch = this.ifMatch(req);
    const patched = applyJsonPatch(JSON.parse(cur.json) as Resource, req.body);
    if (patched.resourceType !== type || patched.id !== id) throw badRequest('A patch may not change resourceType or id', `${type}.id`);
    await this.authorizeWrite(access, patched, false, cur);
    const { version } = await this.store.update(patched, ifMatch ?? cur.versionId, 'PATCH', access.audit.forWrite());
    return this.writeResponse(req, version, 200);
  }

  /** https://hl7.org/fhir/R4/http.html#delete */
  private async delete(req: FhirRequest, access: Caller, type: string, id: string): Promise<FhirResponse> {
    access.audit.action = 'delete';
    this.requireScope(access, type, 'd');
    const current = await this.authorizeExisting(access, type, id);
    if (access.policy.kind === 'patient') this.guardPracticeDecisions(type, current, undefined);
    const v = await this.store.delete(type, id, this.ifMatch(req), access.audit.forWrite());
    const headers: Record<string, string> = v ? { etag: etagOf(v) } : {};
    if (preferReturn(req.headers) === 'OperationOutcome') return json(200, allOk(v ? `Deleted ${type}/${id}` : `${type}/${id} did not exist`), headers);
    return { status: 204, headers };
  }

  /** https://hl7.org/fhir/R4/http.html#3.1.0.7.1 */
  private async conditionalDelete(req: FhirRequest, access: Caller, type: string): Promise<FhirResponse> {
    access.audit.action = 'delete';
    this.requireScope(access, type, 'd');
    this.requireUnrestricted(access, 'Conditional delete');
    const query = new URLSearchParams(req.query).toString();
    if (!query) throw methodNotAllowed(`DELETE on /${type} needs search criteria (conditional delete)`);
    const n = await this.store.conditionalDelete(type, query, 100, access.audit.forWrite());
    return json(200, allOk(`Deleted ${n} ${type} resource(s)`));
  }

  /** https://hl7.org/fhir/R4/http.html#history */
  private async history(req: FhirRequest, access: Caller, target: { type?: string; id?: string }): Promise<FhirResponse> {
    access.audit.action = 'history';
    this.requireScope(access, target.type ?? '*', target.id ? 'r' : 's');
    let count = 50;
    let since: Date | undefined;
    let cursor: string | undefined;
    for (const [k, v] of req.query) {
      if (k === '_count') {
        if (!/^\d{1,4}$/.test(v)) throw badRequest('_count must be a whole number', '_count');
        count = Math.min(Number(v), 1000);
      } else if (k === '_since') {
        const t = Date.parse(v);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw badRequest(`_since must be an instant, not '${v}'`, '_since');
        since = new Date(t);
      } else if (k === '_cursor') cursor = v;
      else if (k !== '_format' && k !== '_pretty' && !isLenient(req.headers)) throw badRequest(`Unknown history parameter '${k}'`, k);
    }
    if (target.type && target.id) {
      const cur = await this.store.readCurrent(target.type, target.id, undefined, access.visible);
      if (!cur) {
        await this.noteRefusal(access, target.type, target.id);
        throw notFound(`${target.type}/${target.id} is not known`);
      }
    }
    const page = await this.store.history({
      ...(target.type ? { resourceType: target.type } : {}), ...(target.id ? { id: target.id } : {}), ...(since ? { since } : {}), count, ...(cursor ? { cursor } : {}),
      visible: access.visible,
    });
    const selfPath = `${req.baseUrl}${target.type ? `/${target.type}` : ''}${target.id ? `/${target.id}` : ''}/_history`;
    const selfQuery = new URLSearchParams(req.query.filter(([k]) => k !== '_cursor'));
    const link = [{ relation: 'self', url: `${selfPath}${req.query.length ? `?${new URLSearchParams(req.query)}` : ''}` }];
    if (page.next) {
      selfQuery.set('_cursor', page.next);
      link.push({ relation: 'next', url: `${selfPath}?${selfQuery}` });
    }
    for (const v of page.entries) access.audit.touched(v.resourceType, `${v.id}/_history/${v.versionId}`, v.patientId);
    const entries = page.entries.map((v) => {
      const e: string[] = [`"fullUrl":${JSON.stringify(`${req.baseUrl}/${v.resourceType}/${v.id}`)}`];
      if (!v.deleted) e.push(`"resource":${asSeenBy(access.policy, v.json, v.patientId)}`);
      const method = v.method === 'DELETE' ? 'DELETE' : v.method === 'POST' ? 'POST' : v.method === 'PATCH' ? 'PATCH' : 'PUT';
      const url = method === 'POST' ? v.resourceType : `${v.resourceType}/${v.id}`;
      e.push(`"request":${JSON.stringify({ method, url })}`);
      e.push(`"response":${JSON.stringify({ status: v.deleted ? '204' : v.versionId === 1 ? '201' : '200', etag: etagOf(v), lastModified: v.lastUpdated.toISOString() })}`);
      return `{${e.join(',')}}`;
    });
    const body = `{"resourceType":"Bundle","type":"history","total":${page.total},"link":${JSON.stringify(link)},"entry":[${entries.join(',')}]}`;
    return json(200, body);
  }

  /** Parses the search parameters from the query (and the form body for POST _search). */
  private searchParams(req: FhirRequest, viaPost: boolean): [string, string][] {
    const params = [...req.query];
    if (viaPost) {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (ct !== 'application/x-www-form-urlencoded') throw unsupportedMediaType('POST _search takes application/x-www-form-urlencoded');
      if (Array.isArray(req.body)) params.push(...(req.body as [string, string][]));
    }
    return params;
  }

  /** https://hl7.org/fhir/R4/search.html */
  private async search(req: FhirRequest, access: Caller, type: string, viaPost = false, compartment?: { type: 'Patient'; id: string }, client?: SqlClient): Promise<FhirResponse> {
    access.audit.action = 'search';
    this.requireScope(access, type, 's');
    const params = this.searchParams(req, viaPost);
    const sreq = parseSearch(this.store.registry, type, params, { lenient: isLenient(req.headers), baseUrl: req.baseUrl });
    if (compartment) sreq.compartment = compartment;
    // A compartment the caller may not see is as empty as one that does not exist.
    if (compartment && !(await this.deps.access.canSeePatient(access, compartment.id, client))) throw notFound(`Patient/${compartment.id} is not known`);
    const page = await this.store.search(sreq, client, access.visible);
    // Included resources of types the scopes do not cover are left out, not refused.
    page.included = page.included.filter((r) => this.scopeAllows(access, r.resourceType, 'r'));
    access.audit.query = `${compartment ? `Patient/${compartment.id}/` : ''}${type}${sreq.applied.length ? `?${new URLSearchParams(sreq.applied)}` : ''}`;
    if (compartment) access.audit.patient(compartment.id);
    for (const r of [...page.matches, ...page.included]) access.audit.touched(r.resourceType, r.id, r.patientId);
    const base = compartment ? `${req.baseUrl}/Patient/${compartment.id}/${type}` : `${req.baseUrl}/${type}`;
    const selfQuery = new URLSearchParams(sreq.applied);
    const link = [{ relation: 'self', url: `${base}${sreq.applied.length ? `?${selfQuery}` : ''}` }];
    if (page.next) {
      const nq = new URLSearchParams(sreq.applied);
      nq.set('_cursor', page.next);
      link.push({ relation: 'next', url: `${base}?${nq}` });
    }
    const entries = [
      ...page.matches.map((mt) => `{"fullUrl":${JSON.stringify(`${req.baseUrl}/${mt.resourceType}/${mt.id}`)},"resource":${this.shape(asSeenBy(access.policy, mt.json, mt.patientId), sreq)},"search":{"mode":"match"}}`),
      ...page.included.map((mt) => `{"fullUrl":${JSON.stringify(`${req.baseUrl}/${mt.resourceType}/${mt.id}`)},"resource":${asSeenBy(access.policy, mt.json, mt.patientId)},"search":{"mode":"include"}}`),
    ];
    const total = page.total !== undefined ? `"total":${page.total},` : '';
    return json(200, `{"resourceType":"Bundle","type":"searchset",${total}"link":${JSON.stringify(link)},"entry":[${entries.join(',')}]}`);
  }

  /** https://hl7.org/fhir/R4/http.html#transaction */
  private async bundle(req: FhirRequest, access: Caller): Promise<FhirResponse> {
    access.audit.action = 'update';
    this.requireUnrestricted(access, 'A transaction or batch');
    checkContentType(req);
    const body = bodyResource(req);
    if (body.resourceType !== 'Bundle') throw badRequest('POST to the base URL takes a Bundle', 'resourceType');
    const bundle = body as Bundle;
    if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
    const opts = { baseUrl: req.baseUrl, prefer: preferReturn(req.headers), read: (url: string, client: SqlClient, r: NonNullable<BundleEntry['request']>) => this.readEntry(req, access, url, client, r) };
    const audit = access.audit.forWrite();
    if (bundle.type === 'transaction') return json(200, await processTransaction(this.store, bundle, { ...opts, ...(audit ? { audit } : {}) }));
    if (bundle.type === 'batch') return json(200, await processBatch(this.store, bundle, { ...opts, ...(audit ? { audit } : {}) }));
    throw badRequest(`Bundle.type must be transaction or batch, not '${bundle.type}'`, 'Bundle.type');
  }

  /** Answers a GET entry of a bundle, reading through `client` (the open transaction). */
  private async readEntry(req: FhirRequest, access: Caller, url: string, client: SqlClient, request: NonNullable<BundleEntry['request']>): Promise<BundleEntry> {
    const [path = '', query = ''] = url.replace(/^\/+/, '').split('?', 2);
    const headers: FhirRequest['headers'] = { 'if-none-match': request.ifNoneMatch, 'if-modified-since': request.ifModifiedSince };
    const sub: FhirRequest = { method: 'GET', path: `/${path}`, query: [...new URLSearchParams(query)] as [string, string][], headers, baseUrl: req.baseUrl };
    let res: FhirResponse;
    try {
      const segs = path.split('/');
      if (segs.length === 2 && TYPE_RE.test(segs[0]!)) res = await this.read(sub, access, segs[0]!, segs[1]!, client);
      else if (segs.length === 1 && TYPE_RE.test(segs[0]!)) {
        this.assertType(segs[0]!);
        res = await this.search(sub, access, segs[0]!, false, undefined, client);
      } else throw badRequest(`GET ${url} is not supported inside a bundle`, 'request.url');
    } catch (err) {
      if (!(err instanceof OperationOutcomeError)) throw err;
      res = json(err.status, err.outcome);
    }
    const entry: BundleEntry = { response: { status: String(res.status) } };
    if (res.headers['last-modified']) entry.response!.lastModified = new Date(res.headers['last-modified']).toISOString();
    if (res.status >= 400 && res.body) entry.response!.outcome = JSON.parse(res.body) as Resource;
    else if (res.body) entry.resource = JSON.parse(res.body) as Resource;
    if (res.headers.etag) entry.response!.etag = res.headers.etag;
    return entry;
  }
}
