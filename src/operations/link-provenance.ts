/**
 * The Provenance of a `$link` or `$unlink`: which two Patient versions the change produced, who
 * made it, why, and when. Written in the same transaction as the new Patient versions, so a
 * Patient's links always say where they came from: `Provenance?target=Patient/{id}` lists every
 * link change that record took part in. Pure: builds the resource only.
 *
 * @see https://hl7.org/fhir/R4/provenance.html
 * @see https://hl7.org/fhir/R4/provenance.html#6.3.4.2 ("target … the Resource version(s) this Provenance is about")
 */
import type { Principal } from '../auth/principal.js';
import { CLIENT_ID_SYSTEM } from '../audit/audit-event.js';
import type { Resource } from '../fhir/types.js';

/**
 * ISO 21089 record lifecycle events, whose `link` and `unlink` name exactly these changes.
 * https://terminology.hl7.org/CodeSystem-iso-21089-lifecycle.html (R4's `Provenance.activity`
 * binding is extensible, so codes from it are allowed.)
 */
export const LIFECYCLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle';
const PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';

/** Who made a link change: the caller, as the audit trail names them. */
export interface LinkAgent {
  /** The OAuth client that made the call (or a fixed name for Tessera's own loaders). */
  clientId: string;
  /** The person's own resource, e.g. `Practitioner/9`, when known. */
  reference?: string;
  /** A name to show. */
  display?: string;
  /** The organisation they acted for, e.g. `Organization/A99001`. */
  organization?: string;
  organizationName?: string;
}

/** The agent for a verified caller, named as in its AuditEvents (`audit/audit-event.ts`). */
export function linkAgentOf(principal: Principal, names: { displayName?: string; organizationName?: string } = {}): LinkAgent {
  return {
    clientId: principal.clientId,
    ...(principal.fhirUser ? { reference: principal.fhirUser } : {}),
    ...(names.displayName ? { display: names.displayName } : {}),
    ...(principal.organization ? { organization: principal.organization } : {}),
    ...(names.organizationName ? { organizationName: names.organizationName } : {}),
  };
}

/** What a link change's Provenance records. */
export interface LinkProvenanceInput {
  action: 'link' | 'unlink';
  /** Versioned references to both Patients as they stand after the change (`Patient/a/_history/3`). */
  targets: readonly [string, string];
  agent: LinkAgent;
  /** Why, as the caller gave it. */
  reason?: string;
  recorded: Date;
}

/** Builds the Provenance of one link change. */
export function linkProvenance(input: LinkProvenanceInput): Resource {
  const { agent } = input;
  const display = agent.display ?? agent.clientId;
  return {
    resourceType: 'Provenance',
    target: input.targets.map((reference) => ({ reference })),
    recorded: input.recorded.toISOString(),
    ...(input.reason ? { reason: [{ text: input.reason }] } : {}),
    activity: {
      coding: [{ system: LIFECYCLE_SYSTEM, code: input.action, display: input.action === 'link' ? 'Link' : 'Unlink' }],
      text: input.action === 'link' ? 'Records confirmed as the same person and linked' : 'Link between records withdrawn',
    },
    agent: [{
      type: { coding: [{ system: PARTICIPANT_TYPE, code: 'performer', display: 'Performer' }] },
      who: agent.reference
        ? { reference: agent.reference, display }
        : { identifier: { system: CLIENT_ID_SYSTEM, value: agent.clientId }, display },
      ...(agent.organization
        ? { onBehalfOf: { reference: agent.organization, ...(agent.organizationName ? { display: agent.organizationName } : {}) } }
        : {}),
    }],
  } as Resource;
}
