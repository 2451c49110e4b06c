/**
 * One audited access, as the access layer knows it: who did what to whose record, why, and how it
 * ended. Deliberately smaller than a FHIR AuditEvent, so callers cannot get the coding wrong;
 * `audit-event.ts` turns it into the resource that is stored and served.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 */

/**
 * What was done. The REST interactions (https://hl7.org/fhir/R4/http.html) plus the events that
 * are not one interaction: `everything` (Patient $everything), `export` (bulk data), other
 * operations, `break-glass` (an emergency override declared by staff) and `login`.
 */
export const ACCESS_ACTIONS = [
  'read', 'vread', 'search', 'history', 'create', 'update', 'patch', 'delete',
  'everything', 'export', 'operation', 'break-glass', 'login',
] as const;
/** One of {@link ACCESS_ACTIONS}. */
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** How it ended. `denied` is a policy refusal; `not-found` includes "not found or not yours". */
export const ACCESS_OUTCOMES = ['success', 'denied', 'not-found', 'error'] as const;
/** One of {@link ACCESS_OUTCOMES}. */
export type AccessOutcome = (typeof ACCESS_OUTCOMES)[number];

/**
 * Why, as a v3 ActReason code (https://terminology.hl7.org/CodeSystem-v3-ActReason.html), the
 * value set FHIR suggests for `AuditEvent.purposeOfEvent`. The common ones are named; any other
 * code of that system is accepted.
 */
export type PurposeOfUse = 'TREAT' | 'ETREAT' | 'BTG' | 'PATRQT' | 'PWATRNY' | 'HOPERAT' | 'HPAYMT' | 'HRESCH' | 'PUBHLTH' | 'SYSADMN' | (string & {});

/** Who acted, as established from their verified access token. */
export interface AccessAgent {
  /** Relative reference to the person's own resource, e.g. `Practitioner/9` or `Patient/1`. */
  reference?: string;
  /** The person's name as shown to a patient reading their access list. */
  display?: string;
  /** Tessera user role: `gp`, `patient`, `carer`, `hospital-doctor`, `nurse`, `practice-admin`, `system`. */
  role?: string;
  /** Relative reference to the person's organisation, e.g. `Organization/42`. */
  organization?: string;
  /** The organisation's name, as a patient would recognise it. */
  organizationName?: string;
  /** The OAuth client (app) the token was issued to. */
  clientId: string;
  /** Tessera user id (the token's subject) for people who sign in to Tessera. */
  userId?: string;
  /** The access token's id (`jti`), tying the event to one sign-in. */
  tokenId?: string;
}

/** One audited access. */
export interface AccessRecord {
  action: AccessAction;
  outcome: AccessOutcome;
  /** When it happened (the request's time, from the caller's clock). */
  at: Date;
  /** Read-only once recorded: a caller's records share one object, and its stored text is kept with it. */
  agent: Readonly<AccessAgent>;
  /**
   * Ids (no `Patient/` prefix) of the patients whose records were touched; empty for data about
   * no patient (a Practitioner, the CapabilityStatement). Each is its own audit chain.
   */
  patientIds: readonly string[];
  /**
   * Relative references (`Observation/7`) read or written. A search or `$everything` can touch
   * thousands; only the first {@link MAX_AUDIT_ENTITIES} are listed, with a count of the rest.
   */
  entities: readonly string[];
  /** The search as asked (`Observation?patient=1&code=…`), for searches and operations. */
  query?: string;
  purpose?: PurposeOfUse;
  /** Free text from the user, e.g. the reason given for breaking the glass. */
  reason?: string;
  /** The caller's network address as the server saw it. */
  sourceIp?: string;
}

/**
 * Entities listed in one AuditEvent. Enough to answer "which of my results did they open" for a
 * page of search results, small enough that an event stays a few kilobytes when it is copied into
 * every touched patient's chain.
 */
export const MAX_AUDIT_ENTITIES = 100;

/**
 * Key of the chain of accesses that touched no patient's record. Parentheses cannot occur in a
 * FHIR id (https://hl7.org/fhir/R4/datatypes.html#id), so no patient's chain can collide with it
 * (`-` alone is a valid id).
 */
export const NO_PATIENT_CHAIN = '(none)';

/**
 * Key of the chain an audit writer (one per server process) appends its batches to. Parentheses
 * and the space keep it apart from every patient's chain and from the no-patient chain.
 */
export function writerChainKey(writerId: string): string {
  return `(writer ${writerId})`;
}

/**
 * The patients' chains one record belongs to: each distinct patient, sorted (the order heads are
 * locked in, so two writers never wait on each other in opposite orders), or the no-patient chain.
 */
export function chainKeysOf(record: Pick<AccessRecord, 'patientIds'>): string[] {
  if (record.patientIds.length === 0) return [NO_PATIENT_CHAIN];
  return [...new Set(record.patientIds)].sort();
}
