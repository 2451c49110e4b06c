/**
 * Batch and transaction bundles. A transaction runs in one database transaction: every entry or
 * none. Entries are processed in the spec's order (DELETE, POST, PUT/PATCH, GET), `urn:uuid:`
 * and other in-bundle references are rewritten to the ids assigned, and conditional references
 * (`Patient?identifier=…`) resolve to exactly one match or fail the bundle.
 *
 * @see https://hl7.org/fhir/R4/http.html#transaction
 * @see https://hl7.org/fhir/R4/bundle.html#references
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound, OperationOutcomeError, preconditionFailed } from '../fhir/outcome.js';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '../fhir/types.js';
import { isObject } from '../fhir/types.js';
import type { SqlClient } from './database.js';
import type { FhirStore, WriteAudit } from './fhir-store.js';
import { etagOf, parseEtag, type ResourceVersion } from './resource-version.js';
import { ID_RE, type WriteSession } from './write-session.js';
import { applyJsonPatch } from './json-patch.js';
import { conditionKey, identifierCondition, lookupIdentifiers, type IdentifierCondition } from './identifier-lookup.js';
import { bundleSources, noteDeliveries } from './source-deliveries.js';

/** How a GET entry is answered (the router supplies this, reading through `client`). */
export type EntryReader = (url: string, client: SqlClient, request: NonNullable<BundleEntry['request']>) => Promise<BundleEntry>;

/** What a write entry turned into, for its response. */
interface EntryResult {
  status: string;
  version?: ResourceVersion;
  outcome?: OperationOutcome;
}

/** Options for processing. */
export interface BundleOptions {
  baseUrl: string;
  read: EntryReader;
  /** `Prefer: return=…` applied to each entry's response. */
  prefer: 'minimal' | 'representation' | 'OperationOutcome';
  /**
   * Record a Provenance for what this bundle changed (imports from source systems): one
   * Provenance targeting every version written, with the source system as its agent. Nothing
   * is recorded when nothing changed, so re-importing the same data writes nothing at all.
   * https://hl7.org/fhir/R4/provenance.html
   */
  provenance?: { activity: string };
  /** Appends the audit trail of what the bundle wrote, in its transaction. */
  audit?: WriteAudit;
}

const METHOD_ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface ParsedEntry {
  index: number;
  entry: BundleEntry;
  method: string;
  url: string;
  /** `Type` for `Type?query` and POST, `Type/id` targets otherwise. */
  type: string;
  id?: string;
  query?: string;
}

/** Checks the shape of a batch/transaction bundle and parses each entry's request. */
function parseEntries(bundle: Bundle): ParsedEntry[] {
  const entries = bundle.entry ?? [];
  return entries.map((entry, index) => {
    const at = `Bundle.entry[${index}]`;
    if (!isObject(entry) || !isObject(entry.request)) throw badRequest(`${at} has no request`, `${at}.request`);
    const method = String(entry.request.method ?? '').toUpperCase();
    if (!(method in METHOD_ORDER)) throw badRequest(`${at}.request.method '${entry.request.method}' is not supported`, `${at}.request.method`);
    let url = String(entry.request.url ?? '');
    if (!url) throw badRequest(`${at}.request.url is missing`, `${at}.request.url`);
    url = url.replace(/^\/+/, '');
    const [path = '', query] = url.split('?', 2) as [string, string | undefined];
    const segs = path.split('/');
    const type = segs[0] ?? '';
    const p: ParsedEntry = { index, entry, method, url, type };
    if (query !== undefined) p.query = query;
    if (method === 'GET' || method === 'HEAD') return p;
    if (!/^[A-Z][A-Za-z]+$/.test(type)) throw badRequest(`${at}.request.url '${url}' does not name a resource type`, `${at}.request.url`);
    if (segs.length > 2 || (segs[1] !== undefined && !ID_RE.test(segs[1]))) {
      throw badRequest(`${at}.request.url '${url}' is not supported in a bundle (operations are not)`, `${at}.request.url`);
    }
    if (segs[1]) p.id = segs[1];
    if ((method === 'POST' || method === 'PUT') && !isObject(entry.resource)) throw badRequest(`${at} needs a resource for ${method}`, `${at}.resource`);
    if (method === 'PATCH' && !isObject(entry.resource)) throw badRequest(`${at} needs a Binary or Parameters resource for PATCH`, `${at}.resource`);
    const resource = entry.resource as Resource;
    if ((method === 'POST' || method === 'PUT') && resource.resourceType !== type) {
      throw badRequest(`${at}.resource is a ${resource.resourceType} but the url names ${type}`, `${at}.resource.resourceType`);
    }
    if (method === 'PUT' && !p.id && p.query === undefined) throw badRequest(`${at}: PUT needs Type/id or Type?criteria`, `${at}.request.url`);
    if (method === 'PUT' && p.id && resource.id !== undefined && resource.id !== p.id) {
      throw badRequest(`${at}.resource.id '${resource.id}' does not match the url id '${p.id}'`, `${at}.resource.id`);
    }
    if (method === 'DELETE' && !p.id && p.query === undefined) throw badRequest(`${at}: DELETE needs Type/id or Type?criteria`, `${at}.request.url`);
    return p;
  });
}

/**
 * Plans the Provenance for the versions this session will write: one per source system and
 * patient record (so each lands in that patient's compartment and record), plus one for what
 * belongs to no patient.
 */
async function planProvenance(session: WriteSession, activity: string): Promise<void> {
  const changed = session.pending().filter((w) => !w.unchanged && !w.deleted && w.resourceType !== 'Provenance');
  if (changed.length === 0) return;
  const groups = new Map<string, { source: string; writes: typeof changed }>();
  for (const w of changed) {
    const source = w.source ?? 'unknown';
    const key = `${source}\u0000${w.patientId ?? ''}`;
    const g = groups.get(key) ?? { source, writes: [] };
    g.writes.push(w);
    groups.set(key, g);
  }
  for (const { source, writes } of groups.values()) {
    await session.create({
      resourceType: 'Provenance',
      meta: { source },
      target: writes.map((w) => ({ reference: `${w.resourceType}/${w.id}/_history/${w.versionId}` })),
      recorded: session.timestamp.toISOString(),
      activity: { text: activity },
      agent: [{
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
        who: { display: source === 'unknown' ? 'Unknown source system' : source },
      }],
    } as Resource);
  }
}

/** Collects the bundle's `identifier=system|value` conditions and resolves them in one query. */
async function prefetchIdentifierConditions(tx: SqlClient, parsed: ParsedEntry[]): Promise<Map<string, string[]>> {
  const conditions: IdentifierCondition[] = [];
  const add = (type: string, query: string | undefined) => {
    const c = query !== undefined ? identifierCondition(type, query) : undefined;
    if (c) conditions.push(c);
  };
  for (const p of parsed) {
    if (p.method === 'POST') add(p.type, p.entry.request?.ifNoneExist);
    else if (p.method === 'PUT') add(p.type, p.query);
    if (p.entry.resource) collectConditionalReferences(p.entry.resource, add);
  }
  return lookupIdentifiers(tx, conditions);
}

function collectConditionalReferences(value: unknown, add: (type: string, query: string) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) collectConditionalReferences(v, add);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'reference' && typeof v === 'string') {
      const m = /^([A-Z][A-Za-z]+)\?(.*)$/.exec(v);
      if (m) add(m[1]!, m[2]!);
    } else if (typeof v === 'object' && v !== null) collectConditionalReferences(v, add);
  }
}

/** Walks a resource and rewrites every `reference` found in `map` (and conditional references). */
async function rewriteReferences(
  value: unknown,
  map: Map<string, string>,
  resolveConditional: (ref: string) => Promise<string>,
): Promise<void> {
  if (Array.isArray(value)) {
    for (const v of value) await rewriteReferences(v, map, resolveConditional);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'reference' && typeof v === 'string') {
      const mapped = map.get(v);
      if (mapped) value[k] = mapped;
      else if (/^[A-Z][A-Za-z]+\?/.test(v)) value[k] = await resolveConditional(v);
    } else if (typeof v === 'object' && v !== null) {
      await rewriteReferences(v, map, resolveConditional);
    }
  }
}

function responseEntry(result: EntryResult, opts: BundleOptions, fullUrl?: string): BundleEntry {
  const out: BundleEntry = { response: { status: result.status } };
  const v = result.version;
  if (v) {
    out.response!.location = `${v.resourceType}/${v.id}/_history/${v.versionId}`;
    out.response!.etag = etagOf(v);
    out.response!.lastModified = v.lastUpdated.toISOString();
    out.fullUrl = fullUrl ?? `${opts.baseUrl}/${v.resourceType}/${v.id}`;
    if (opts.prefer === 'representation' && !v.deleted) out.resource = JSON.parse(v.json) as Resource;
  }
  if (result.outcome && opts.prefer === 'OperationOutcome') out.response!.outcome = result.outcome;
  return out;
}

/**
 * Processes a transaction bundle atomically and returns the transaction-response bundle.
 * Any failing entry fails the whole bundle with that entry's outcome. The bundle's resources are
 * modified in place (references rewritten). Afterwards the outcome is noted for each source
 * system the bundle came from (`source-deliveries.ts`): one statement per bundle.
 */
export async function processTransaction(store: FhirStore, bundle: Bundle, opts: BundleOptions): Promise<Bundle> {
  const sources = bundleSources(bundle);
  try {
    const out = await runTransaction(store, bundle, opts);
    await noteDeliveries(store.db, sources);
    return out;
  } catch (err) {
    await noteDeliveries(store.db, sources, err instanceof OperationOutcomeError ? err.status : 500);
    throw err;
  }
}

async function runTransaction(store: FhirStore, bundle: Bundle, opts: BundleOptions): Promise<Bundle> {
  const parsed = parseEntries(bundle);
  // References are rewritten in place: the bundle belongs to this request (parsed from its
  // body), and copying every resource of a large bundle costs more memory than it is worth.
  const seenFullUrls = new Set<string>();
  for (const p of parsed) {
    const fu = p.entry.fullUrl;
    if (fu && p.entry.resource) {
      if (seenFullUrls.has(fu)) throw badRequest(`Bundle.entry[${p.index}].fullUrl '${fu}' appears twice`, `Bundle.entry[${p.index}].fullUrl`);
      seenFullUrls.add(fu);
    }
  }
  const results = new Array<BundleEntry>(parsed.length);
  await store.db.transaction(async (tx) => {
    const session = store.session(tx);
    const at = (p: ParsedEntry) => `Bundle.entry[${p.index}]`;
    const withEntry = async <T>(p: ParsedEntry, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof OperationOutcomeError) {
          // Point each issue at the entry that failed.
          for (const i of err.outcome.issue) {
            i.diagnostics = `${at(p)} (${p.method} ${p.url}): ${i.diagnostics ?? ''}`;
            i.expression = (i.expression ?? [at(p)]).map((e) => (e.startsWith('Bundle.') ? e : e.replace(/^[A-Z][A-Za-z]+/, `${at(p)}.resource`)));
          }
        }
        throw err;
      }
    };

    // 0. Answer every `identifier=system|value` condition in the bundle with one query.
    const fast = await prefetchIdentifierConditions(tx, parsed);
    const matchIds = async (type: string, query: string, expression: string, limit = 2): Promise<string[]> => {
      const c = identifierCondition(type, query);
      const known = c ? fast.get(conditionKey(c)) : undefined;
      if (known) return known;
      return store.conditionalMatch(tx, type, query, expression, limit);
    };

    // 1. Decide every entry's target id, so references can be rewritten before anything is written.
    const idMap = new Map<string, string>();
    const targetId = new Map<number, string | null>(); // null: conditional create matched, no write
    const freshIds = new Set<string>(); // server-assigned here: certainly new
    const matchedVersion = new Map<number, ResourceVersion>();
    for (const p of parsed) {
      await withEntry(p, async () => {
        if (p.method === 'POST') {
          if (p.entry.request!.ifNoneExist) {
            const m = await matchIds(p.type, p.entry.request!.ifNoneExist, 'ifNoneExist');
            if (m.length > 1) throw preconditionFailed(`ifNoneExist matched ${m.length} resources`, 'ifNoneExist');
            if (m.length === 1) {
              matchedVersion.set(p.index, (await store.readCurrent(p.type, m[0]!, tx))!);
              if (p.entry.fullUrl) idMap.set(p.entry.fullUrl, `${p.type}/${m[0]!}`);
              targetId.set(p.index, null);
              return;
            }
          }
          const id = randomUUID();
          targetId.set(p.index, id);
          if (p.entry.fullUrl) idMap.set(p.entry.fullUrl, `${p.type}/${id}`);
        } else if (p.method === 'PUT' && p.query !== undefined) {
          const m = await matchIds(p.type, p.query, 'request.url');
          if (m.length > 1) throw preconditionFailed(`The condition matched ${m.length} resources`, 'request.url');
          let id = m[0] ?? (p.entry.resource!.id as string | undefined);
          if (id === undefined) {
            id = randomUUID();
            freshIds.add(id);
          }
          targetId.set(p.index, id);
          if (p.entry.fullUrl) idMap.set(p.entry.fullUrl, `${p.type}/${id}`);
        } else if ((p.method === 'PUT' || p.method === 'PATCH') && p.id) {
          targetId.set(p.index, p.id);
          if (p.entry.fullUrl) idMap.set(p.entry.fullUrl, `${p.type}/${p.id}`);
        }
      });
    }
    // Absolute fullUrls on our own base also resolve to Type/id.
    for (const [k, v] of [...idMap]) if (k.startsWith(`${opts.baseUrl}/`)) idMap.set(k.slice(opts.baseUrl.length + 1), v);

    // 2. Rewrite in-bundle and conditional references.
    const conditionalCache = new Map<string, string>();
    for (const p of parsed) {
      if (!p.entry.resource) continue;
      await withEntry(p, () =>
        rewriteReferences(p.entry.resource, idMap, async (ref) => {
          const cached = conditionalCache.get(ref);
          if (cached) return cached;
          const [type = '', query = ''] = ref.split('?', 2);
          const m = await matchIds(type, query, 'reference', 2);
          if (m.length !== 1) throw preconditionFailed(`Conditional reference '${ref}' matched ${m.length === 0 ? 'nothing' : 'more than one resource'}`, 'reference');
          const resolved = `${type}/${m[0]!}`;
          conditionalCache.set(ref, resolved);
          return resolved;
        }),
      );
    }

    // 3. Writes, in the spec's order. Current rows of every resource to be replaced come first,
    //    in one query; ids the bundle itself just assigned are known to be new.
    await session.prefetch(
      parsed
        .filter((p) => (p.method === 'PUT' || p.method === 'PATCH' || p.method === 'DELETE') && targetId.get(p.index) && !freshIds.has(targetId.get(p.index)!))
        .map((p) => ({ type: p.type, id: targetId.get(p.index)! })),
    );
    const order = [...parsed].sort((a, b) => METHOD_ORDER[a.method]! - METHOD_ORDER[b.method]! || a.index - b.index);
    for (const p of order) {
      if (p.method === 'GET' || p.method === 'HEAD') continue;
      const result = await withEntry(p, () => writeEntry(store, session, tx, p, targetId.get(p.index), matchedVersion.get(p.index), freshIds));
      results[p.index] = responseEntry(result, opts, idMap.size && p.entry.fullUrl ? undefined : undefined);
    }
    if (opts.provenance) await planProvenance(session, opts.provenance.activity);
    await session.flush();
    if (opts.audit) await opts.audit.append(tx, session.pending().filter((w) => !w.unchanged));
    // Versions planned before flush are final now; GET entries read through the same transaction.
    for (const p of order) {
      if (p.method !== 'GET' && p.method !== 'HEAD') continue;
      const res = await opts.read(p.url, tx, p.entry.request!);
      const status = Number(res.response?.status.split(' ')[0] ?? 200);
      if (status >= 400) {
        const outcome = res.response?.outcome as OperationOutcome | undefined;
        throw new OperationOutcomeError(status, outcome ?? { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: `Bundle.entry[${p.index}] GET failed`, expression: [`Bundle.entry[${p.index}]`] }] });
      }
      results[p.index] = res;
    }
  });
  return { resourceType: 'Bundle', type: 'transaction-response', timestamp: new Date().toISOString(), entry: results };
}

async function writeEntry(
  store: FhirStore,
  session: WriteSession,
  tx: SqlClient,
  p: ParsedEntry,
  id: string | null | undefined,
  matched: ResourceVersion | undefined,
  freshIds: Set<string>,
): Promise<EntryResult> {
  const req = p.entry.request!;
  const ifMatch = req.ifMatch !== undefined ? parseEtag(req.ifMatch) : undefined;
  if (req.ifMatch !== undefined && ifMatch === undefined) throw badRequest(`ifMatch '${req.ifMatch}' is not an ETag`, 'request.ifMatch');
  switch (p.method) {
    case 'POST': {
      if (id === null) return { status: '200 OK', version: matched! };
      const w = await session.create(p.entry.resource as Resource, id!);
      return { status: '201 Created', version: w };
    }
    case 'PUT': {
      if (freshIds.has(id!)) {
        // A conditional update that matched nothing creates: no need to look for a current row.
        const w = await session.create(p.entry.resource as Resource, id!);
        return { status: '201 Created', version: w };
      }
      const { write, created } = await session.update({ ...(p.entry.resource as Resource), id: id! }, ifMatch !== undefined ? { ifMatch } : {});
      return { status: created ? '201 Created' : '200 OK', version: write };
    }
    case 'PATCH': {
      const cur = await store.readCurrent(p.type, id!, tx);
      if (!cur || cur.deleted) throw notFound(`${p.type}/${id} is not known`);
      const patched = applyJsonPatch(JSON.parse(cur.json) as Resource, patchOperations(p.entry.resource!));
      const { write } = await session.update(patched, { ...(ifMatch !== undefined ? { ifMatch } : {}), method: 'PATCH' });
      return { status: '200 OK', version: write };
    }
    case 'DELETE': {
      if (p.query !== undefined) {
        const matches = await store.conditionalMatch(tx, p.type, p.query, 'request.url', 101);
        if (matches.length > 100) throw preconditionFailed('The condition matched more than 100 resources', 'request.url');
        for (const id of matches) await session.delete(p.type, id);
        return { status: '204 No Content' };
      }
      await session.delete(p.type, p.id!, ifMatch);
      return { status: '204 No Content' };
    }
    default:
      throw badRequest(`Unsupported method ${p.method}`, 'request.method');
  }
}

/** JSON Patch inside a bundle travels as a Binary with base64 JSON. https://hl7.org/fhir/R4/http.html#patch */
function patchOperations(resource: Resource): unknown {
  if (resource.resourceType === 'Binary' && typeof resource.data === 'string') {
    try {
      return JSON.parse(Buffer.from(resource.data, 'base64').toString('utf8'));
    } catch {
      throw badRequest('The Binary patch body is not JSON', 'resource.data');
    }
  }
  throw badRequest('PATCH entries must carry a Binary with a JSON Patch document', 'resource');
}

/**
 * Processes a batch: each entry on its own, failures reported in that entry's response.
 * https://hl7.org/fhir/R4/http.html#brules
 */
export async function processBatch(store: FhirStore, bundle: Bundle, opts: BundleOptions): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  const out: BundleEntry[] = [];
  // One note per batch and source: stored if any of its entries was, failed if any failed.
  const stored = new Set<string>();
  const failed = new Map<string, number>();
  for (let i = 0; i < entries.length; i++) {
    const single: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [entries[i]!] };
    const entrySources = bundleSources(single);
    try {
      const res = await runTransaction(store, single, opts);
      for (const s of entrySources) stored.add(s);
      out.push(res.entry![0]!);
    } catch (err) {
      for (const s of entrySources) failed.set(s, err instanceof OperationOutcomeError ? err.status : 500);
      if (!(err instanceof OperationOutcomeError)) {
        await noteBatch(store, stored, failed);
        throw err;
      }
      for (const issue of err.outcome.issue) {
        issue.expression = (issue.expression ?? []).map((e) => e.replace(/^Bundle\.entry\[0\]/, `Bundle.entry[${i}]`));
        if (issue.diagnostics) issue.diagnostics = issue.diagnostics.replace(/^Bundle\.entry\[0\]/, `Bundle.entry[${i}]`);
      }
      out.push({ response: { status: String(err.status), outcome: err.outcome } });
    }
  }
  await noteBatch(store, stored, failed);
  return { resourceType: 'Bundle', type: 'batch-response', timestamp: new Date().toISOString(), entry: out };
}

async function noteBatch(store: FhirStore, stored: Set<string>, failed: Map<string, number>): Promise<void> {
  await noteDeliveries(store.db, [...stored].sort());
  const byStatus = new Map<number, string[]>();
  for (const [s, status] of failed) byStatus.set(status, [...(byStatus.get(status) ?? []), s]);
  for (const [status, list] of byStatus) await noteDeliveries(store.db, list.sort(), status);
}
