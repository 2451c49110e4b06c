/**
 * The form an access is stored and hashed in: the facts of an {@link AccessRecord}, compact,
 * as canonical JSON. The FHIR AuditEvent is built from these facts when someone reads the trail
 * (`audit-event.ts`), not stored: a read's facts are about 500 bytes where its AuditEvent is
 * 2 KB of fixed codings, and every read of the record writes one. Storing the facts keeps the
 * append cheap (less to serialise, hash, send and store, and nothing for TOAST to compress)
 * while the hash still covers everything the event says.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 */
import { MAX_AUDIT_ENTITIES, type AccessAction, type AccessAgent, type AccessOutcome, type AccessRecord, type PurposeOfUse } from './access-record.js';

/** How the server names itself in the events it records (`AuditEvent.source`). */
export interface AuditSourceNames {
  /** `source.observer.display` (default `Tessera`). */
  observer?: string;
  /** `source.site`, e.g. the deployment's name. */
  site?: string;
}

/**
 * One access as stored. Keys are those of the record, with what an AuditEvent lists already
 * chosen: at most {@link MAX_AUDIT_ENTITIES} patients and resources, and a count of the rest.
 */
export interface StoredAccess {
  action: AccessAction;
  agent: AccessAgent;
  /** `AccessRecord.at`, ISO 8601 with milliseconds. */
  at: string;
  /** Resources listed (relative references), after the patients; absent when none. */
  entities?: string[];
  /** Patients and resources touched but not listed; absent when none. */
  more?: number;
  observer?: string;
  outcome: AccessOutcome;
  /** Patient ids listed, without `Patient/`. */
  patients: string[];
  purpose?: PurposeOfUse;
  query?: string;
  reason?: string;
  site?: string;
  sourceIp?: string;
}

/** The stored form of `record`, as recorded by a server named by `source`. */
export function storedAccessOf(record: AccessRecord, source: AuditSourceNames = {}): StoredAccess {
  const patients = [...new Set(record.patientIds)];
  const listed = patients.slice(0, MAX_AUDIT_ENTITIES);
  const seen = new Set(listed.map((id) => `Patient/${id}`));
  const others = [...new Set(record.entities)].filter((ref) => !seen.has(ref));
  const room = Math.max(0, MAX_AUDIT_ENTITIES - listed.length);
  const more = patients.length - listed.length + Math.max(0, others.length - room);
  const s: StoredAccess = { action: record.action, agent: record.agent, at: record.at.toISOString(), outcome: record.outcome, patients: listed };
  if (others.length > 0 && room > 0) s.entities = others.slice(0, room);
  if (more > 0) s.more = more;
  if (source.observer !== undefined) s.observer = source.observer;
  if (record.purpose !== undefined) s.purpose = record.purpose;
  if (record.query !== undefined && record.query !== '') s.query = record.query;
  if (record.reason !== undefined) s.reason = record.reason;
  if (source.site !== undefined) s.site = source.site;
  if (record.sourceIp !== undefined) s.sourceIp = record.sourceIp;
  return s;
}

/**
 * The copy kept in another patient's chain for an access that touched several: the same access
 * naming only that patient — no other patients, no resources, no query — so one patient's list
 * never reveals another's.
 */
export function storedAccessForPatient(s: StoredAccess, patientId: string): StoredAccess {
  const { entities: _e, more: _m, query: _q, ...rest } = s;
  return { ...rest, patients: [patientId] };
}

/** Object keys in UTF-16 order, as `canonicalJson` sorts them. */
const AGENT_KEYS = ['clientId', 'display', 'organization', 'organizationName', 'reference', 'role', 'tokenId', 'userId'] as const;
const KEYS = ['action', 'agent', 'at', 'entities', 'more', 'observer', 'outcome', 'patients', 'purpose', 'query', 'reason', 'site', 'sourceIp'] as const;

/** Agents' canonical JSON, by agent object: a caller's records share one (`http/request-audit.ts`). */
const agentJson = new WeakMap<Readonly<AccessAgent>, string>();

function canonicalAgent(a: Readonly<AccessAgent>): string {
  let text = agentJson.get(a);
  if (text === undefined) {
    const sorted: Record<string, unknown> = {};
    for (const k of AGENT_KEYS) if (a[k] !== undefined) sorted[k] = a[k];
    text = JSON.stringify(sorted);
    agentJson.set(a, text);
  }
  return text;
}

/**
 * `s` as canonical JSON (the same text `canonicalJson` gives, tested so), written directly: the
 * keys in sorted order, each value (a string, a number or an array of strings; the agent's text
 * made once per agent object) as `JSON.stringify` writes it — a fraction of the general
 * sort-every-object serialiser's cost, on the path of every read. Agents are read-only once
 * recorded, so an agent's text is kept with the object.
 */
export function storedAccessJson(s: StoredAccess): string {
  let out = '';
  for (const k of KEYS) {
    const v = s[k];
    if (v === undefined) continue;
    out += `${out === '' ? '{' : ','}"${k}":${k === 'agent' ? canonicalAgent(s.agent) : JSON.stringify(v)}`;
  }
  return `${out}}`;
}

/** True when stored content is the compact form (rather than an AuditEvent stored whole, as before). */
export function isStoredAccess(value: unknown): value is StoredAccess {
  return typeof value === 'object' && value !== null && !('resourceType' in value) && 'action' in value && 'agent' in value;
}
