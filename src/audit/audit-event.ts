/**
 * Turns an {@link AccessRecord} into a FHIR R4 AuditEvent, following the shapes of IHE Basic
 * Audit Log Patterns (BALP) where they fit: the user and the client app as separate agents, the
 * patient as an entity with role Patient, the search as a base64 query entity.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @see https://profiles.ihe.net/ITI/BALP/
 */
import type { Coding, Resource } from '../fhir/types.js';
import type { AccessAction, AccessOutcome, AccessRecord } from './access-record.js';
import { storedAccessOf, type AuditSourceNames, type StoredAccess } from './stored-access.js';

/** https://hl7.org/fhir/R4/datatypes.html#Reference (the parts AuditEvent uses). */
export interface AuditReference {
  reference?: string;
  display?: string;
  identifier?: { system?: string; value?: string };
}

/** https://hl7.org/fhir/R4/datatypes.html#CodeableConcept */
export interface AuditCodeableConcept {
  coding?: Coding[];
  text?: string;
}

/** https://hl7.org/fhir/R4/auditevent-definitions.html#AuditEvent.agent */
export interface AuditEventAgent {
  type?: AuditCodeableConcept;
  role?: AuditCodeableConcept[];
  who?: AuditReference;
  altId?: string;
  name?: string;
  requestor: boolean;
  policy?: string[];
  network?: { address?: string; type?: '1' | '2' | '3' | '4' | '5' };
}

/** https://hl7.org/fhir/R4/auditevent-definitions.html#AuditEvent.entity */
export interface AuditEventEntity {
  what?: AuditReference;
  type?: Coding;
  role?: Coding;
  description?: string;
  query?: string;
}

/** A FHIR R4 AuditEvent as Tessera writes it. https://hl7.org/fhir/R4/auditevent.html */
export interface AuditEvent extends Resource {
  resourceType: 'AuditEvent';
  id: string;
  type: Coding;
  subtype?: Coding[];
  /** https://hl7.org/fhir/R4/valueset-audit-event-action.html */
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  /** https://hl7.org/fhir/R4/valueset-audit-event-outcome.html */
  outcome?: '0' | '4' | '8' | '12';
  outcomeDesc?: string;
  purposeOfEvent?: AuditCodeableConcept[];
  agent: AuditEventAgent[];
  source: { site?: string; observer: AuditReference; type?: Coding[] };
  entity?: AuditEventEntity[];
}

/** Options for {@link buildAuditEvent}: the event's id (a UUID chosen by the store) and how the server names itself. */
export interface AuditEventOptions extends AuditSourceNames {
  id: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const ROLE_CLASS = 'http://terminology.hl7.org/CodeSystem/v3-RoleClass';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
/** Tessera's user roles (`src/auth/roles.ts`), which have no standard code system. */
export const USER_ROLE_SYSTEM = 'https://tessera.example/fhir/CodeSystem/user-role';
/** Identifier system for OAuth client ids (RFC 7591 `client_id`). */
export const CLIENT_ID_SYSTEM = 'urn:ietf:params:oauth:client-id';

const REST: Coding = { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' };
const rest = (code: string): Coding => ({ system: RESTFUL_INTERACTION, code });

/**
 * `type`, `subtype` and `action` per access. REST interactions are `rest` with the interaction
 * as subtype (https://hl7.org/fhir/R4/valueset-audit-event-sub-type.html); export, break-glass
 * and login use their DICOM event ids (DICOM PS3.16 CID 400/401), break-glass as the
 * "Emergency Override Started" security alert. Action codes follow the AuditEvent definition:
 * searches and operations execute (`E`).
 */
const EVENT_KIND: Record<AccessAction, { type: Coding; subtype: Coding[]; action: NonNullable<AuditEvent['action']> }> = {
  read: { type: REST, subtype: [rest('read')], action: 'R' },
  vread: { type: REST, subtype: [rest('vread')], action: 'R' },
  search: { type: REST, subtype: [rest('search')], action: 'E' },
  history: { type: REST, subtype: [rest('history')], action: 'R' },
  create: { type: REST, subtype: [rest('create')], action: 'C' },
  update: { type: REST, subtype: [rest('update')], action: 'U' },
  patch: { type: REST, subtype: [rest('patch')], action: 'U' },
  delete: { type: REST, subtype: [rest('delete')], action: 'D' },
  everything: { type: REST, subtype: [rest('operation')], action: 'E' },
  operation: { type: REST, subtype: [rest('operation')], action: 'E' },
  export: { type: { system: DCM, code: '110106', display: 'Export' }, subtype: [rest('operation')], action: 'R' },
  'break-glass': {
    type: { system: DCM, code: '110113', display: 'Security Alert' },
    subtype: [{ system: DCM, code: '110127', display: 'Emergency Override Started' }],
    action: 'E',
  },
  login: { type: { system: DCM, code: '110114', display: 'User Authentication' }, subtype: [{ system: DCM, code: '110122', display: 'Login' }], action: 'E' },
};

/** https://hl7.org/fhir/R4/valueset-audit-event-outcome.html: 4 is "often an HTTP 400", 8 "an HTTP 500". */
const OUTCOME: Record<AccessOutcome, { code: NonNullable<AuditEvent['outcome']>; desc?: string }> = {
  success: { code: '0' },
  denied: { code: '4', desc: 'Refused by access policy' },
  'not-found': { code: '4', desc: 'Not found' },
  error: { code: '8', desc: 'Failed with a server error' },
};

/** Displays for the ActReason codes in common use. https://terminology.hl7.org/CodeSystem-v3-ActReason.html */
const PURPOSE_DISPLAY: Record<string, string> = {
  TREAT: 'treatment',
  ETREAT: 'Emergency Treatment',
  BTG: 'break the glass',
  PATRQT: 'patient requested',
  PWATRNY: 'power of attorney',
  HOPERAT: 'healthcare operations',
  HPAYMT: 'healthcare payment',
  HRESCH: 'healthcare research',
  PUBHLTH: 'public health',
  SYSADMN: 'system administration',
};

const WRITES = new Set<AccessAction>(['create', 'update', 'patch', 'delete']);

function purposeCoding(code: string): Coding {
  const display = PURPOSE_DISPLAY[code];
  return display ? { system: ACT_REASON, code, display } : { system: ACT_REASON, code };
}

function purposeOfEvent(r: StoredAccess): AuditCodeableConcept[] | undefined {
  const codes: string[] = [];
  if (r.purpose) codes.push(r.purpose);
  // Breaking the glass is itself the purpose an auditor filters on, whatever else was declared.
  if (r.action === 'break-glass' && !codes.includes('BTG')) codes.push('BTG');
  if (codes.length === 0 && !r.reason) return undefined;
  const cc: AuditCodeableConcept = {};
  if (codes.length > 0) cc.coding = codes.map(purposeCoding);
  if (r.reason) cc.text = r.reason;
  return [cc];
}

/**
 * BALP's user agent types: the patient themselves (`PAT`), an author of a write (`AGNT`), or a
 * recipient of what was read (`IRCP`).
 */
function userAgentType(r: StoredAccess): Coding {
  const isPatient = r.agent.role === 'patient' || r.agent.reference?.startsWith('Patient/') === true;
  if (isPatient) return { system: ROLE_CLASS, code: 'PAT', display: 'patient' };
  if (WRITES.has(r.action)) return { system: ROLE_CLASS, code: 'AGNT', display: 'agent' };
  return { system: PARTICIPATION_TYPE, code: 'IRCP', display: 'information recipient' };
}

function agents(r: StoredAccess): AuditEventAgent[] {
  const a = r.agent;
  const hasPerson = a.reference !== undefined || a.userId !== undefined || a.display !== undefined;
  const client: AuditEventAgent = {
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: { identifier: { system: CLIENT_ID_SYSTEM, value: a.clientId } },
    // A backend service (client credentials) has no person behind it: the app itself asked.
    requestor: !hasPerson,
  };
  if (r.sourceIp) client.network = { address: r.sourceIp, type: '2' };
  if (!hasPerson && a.tokenId) client.policy = [tokenPolicy(a.tokenId)];
  if (!hasPerson && a.role) client.role = [roleConcept(a.role)];
  if (!hasPerson) return [client];

  const who: AuditReference = {};
  if (a.reference) who.reference = a.reference;
  if (a.display) who.display = a.display;
  const user: AuditEventAgent = { type: { coding: [userAgentType(r)] }, requestor: true };
  if (a.role) user.role = [roleConcept(a.role)];
  if (Object.keys(who).length > 0) user.who = who;
  if (a.userId) user.altId = a.userId;
  if (a.display) user.name = a.display;
  // "The policy would also indicate the security token used" (AuditEvent.agent.policy).
  if (a.tokenId) user.policy = [tokenPolicy(a.tokenId)];
  const out = [user, client];
  if (a.organization) {
    out.push({ type: { coding: [{ system: ROLE_CLASS, code: 'PROV', display: 'healthcare provider' }] }, who: { reference: a.organization, ...(a.organizationName ? { display: a.organizationName } : {}) }, requestor: false });
  }
  return out;
}

function roleConcept(role: string): AuditCodeableConcept {
  return { coding: [{ system: USER_ROLE_SYSTEM, code: role }] };
}

/** `agent.policy` is a uri; a JWT id is any string, so it is carried as a URN. */
function tokenPolicy(tokenId: string): string {
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(tokenId) ? tokenId : `urn:jti:${tokenId.replace(/\s/g, '_')}`;
}

const PATIENT_ENTITY_TYPE: Coding = { system: ENTITY_TYPE, code: '1', display: 'Person' };
const PATIENT_ROLE: Coding = { system: OBJECT_ROLE, code: '1', display: 'Patient' };
const OBJECT_TYPE: Coding = { system: ENTITY_TYPE, code: '2', display: 'System Object' };

/** The entity naming a patient whose record was touched (BALP `entity:patient`). */
export function patientEntity(patientId: string): AuditEventEntity {
  return { what: { reference: `Patient/${patientId}` }, type: PATIENT_ENTITY_TYPE, role: PATIENT_ROLE };
}

/** True for the entity naming a patient (rather than a resource read or a query). */
export function isPatientEntity(e: AuditEventEntity): boolean {
  return e.role?.system === OBJECT_ROLE && e.role.code === '1' && e.what?.reference?.startsWith('Patient/') === true;
}

function entities(s: StoredAccess): AuditEventEntity[] | undefined {
  const out: AuditEventEntity[] = s.patients.map(patientEntity);
  for (const ref of s.entities ?? []) out.push({ what: { reference: ref }, type: OBJECT_TYPE, role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' } });
  if (s.more) out.push({ type: OBJECT_TYPE, description: `${s.more} more resources were touched and are not listed` });
  if (s.query !== undefined) {
    // BALP: the query as sent, base64 (https://hl7.org/fhir/R4/auditevent-definitions.html#AuditEvent.entity.query).
    out.push({ type: OBJECT_TYPE, role: { system: OBJECT_ROLE, code: '24', display: 'Query' }, query: Buffer.from(s.query, 'utf8').toString('base64') });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Builds the AuditEvent for one access. The result is a plain JSON object with no `undefined`
 * values, so it serialises canonically (see `hash-chain.ts`).
 *
 * - `type`/`subtype`/`action`: see the table above;
 * - `recorded`: `record.at`; `outcome`: 0 success, 4 denied or not found, 8 error;
 * - `purposeOfEvent`: the declared v3 ActReason with the free-text reason; BTG for break-glass;
 * - `agent`: the person (who, role, user id, token as policy; requestor) and the client app
 *   (client id, network address), plus their organisation when known;
 * - `source`: this server, as an application server;
 * - `entity`: each patient (role Patient), the resources touched (at most
 *   {@link MAX_AUDIT_ENTITIES} in all, with a count of the rest), and the query in base64.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 */
export function buildAuditEvent(record: AccessRecord, options: AuditEventOptions): AuditEvent {
  return auditEventOf(storedAccessOf(record, options), options.id);
}

/**
 * The AuditEvent for an access as stored (`stored-access.ts`): what {@link buildAuditEvent}
 * gives for the record it was stored from. The audit trail stores the facts and builds the
 * event when it is read.
 */
export function auditEventOf(s: StoredAccess, id: string): AuditEvent {
  const kind = EVENT_KIND[s.action];
  const outcome = OUTCOME[s.outcome];
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id,
    type: kind.type,
    subtype: kind.subtype,
    action: kind.action,
    recorded: s.at,
    outcome: outcome.code,
    agent: agents(s),
    source: {
      observer: { display: s.observer ?? 'Tessera' },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
  };
  if (outcome.desc) event.outcomeDesc = outcome.desc;
  const purpose = purposeOfEvent(s);
  if (purpose) event.purposeOfEvent = purpose;
  if (s.site) event.source.site = s.site;
  const entity = entities(s);
  if (entity) event.entity = entity;
  return event;
}

/**
 * The event as shown to the person whose record it is about (the "who viewed my record" list):
 * who, when, what kind of access, why and the outcome. `records`: the ids of the person's Patient
 * records (one person, many systems) that the event touched. Left out: the agent's network
 * address, user id and token, which are for investigators; and, when the access touched other
 * people's records too, everything but the entities of this person's own records (the others'
 * ids, the resources, the query).
 */
export function patientAccessView(event: AuditEvent, records: readonly string[]): AuditEvent {
  const agent = event.agent.map(({ network: _n, policy: _p, altId: _a, ...rest }) => rest);
  const own = new Set(records.map((id) => `Patient/${id}`));
  const named = new Set((event.entity ?? []).filter(isPatientEntity).map((e) => e.what?.reference ?? ''));
  const out: AuditEvent = { ...event, agent };
  // Unless the event names exactly the person's records it touched, it becomes those records
  // alone: no other person's entities, and a chain's single-record copy names them all.
  if (named.size !== own.size || [...named].some((ref) => !own.has(ref))) out.entity = records.map(patientEntity);
  return out;
}
