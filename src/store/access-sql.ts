/**
 * An access policy (`access/policy.ts`) as one SQL condition on a row of `resources`, applied
 * inside every query that reads records, so what a caller may not see is never read, counted,
 * included, chained through or matched by `_has`. Every value is bound; the lookups it makes
 * are index probes on the access rows (`access/access-entries.ts`) of the search token table.
 */
import { ACCESS_PARAM, RELATIONSHIP_TYPES } from '../access/access-entries.js';
import type { AccessPolicy } from '../access/policy.js';
import { DIRECTORY_TYPES } from '../access/directory-types.js';

/** Hands out `$n` placeholders (the search `Binder` satisfies it). */
export interface Bind {
  bind(v: unknown): string;
}

/**
 * The condition for alias `r` of `resources`. `person`, when given, is a bound `text[]` of one
 * person's record ids that the query is already confined to (a patient-scoped search): the
 * per-person checks are then made once per query instead of once per row.
 */
export type Visibility = (b: Bind, r: string, person?: string) => string;

/** No restriction (internal use and backend systems). */
export const UNRESTRICTED: Visibility = () => 'TRUE';

const DIRECTORY = [...DIRECTORY_TYPES];

/** The person's records: the record itself and the records linked to it (one hop, both ways). */
export function personRecords(r: string): string {
  return `SELECT ${r}.patient_id AS pid UNION ALL ${linkedTo(`ARRAY[${r}.patient_id]`)}`;
}

/** Records linked (`Patient.link`, either direction) to any of the `ids` (a text[] expression). */
function linkedTo(ids: string): string {
  return `SELECT l.target_id FROM search_reference l WHERE l.resource_type = 'Patient' AND l.id = ANY(${ids}) AND l.param = 'link' AND l.target_type = 'Patient'
    UNION ALL SELECT l.id FROM search_reference l WHERE l.resource_type = 'Patient' AND l.target_id = ANY(${ids}) AND l.param = 'link' AND l.target_type = 'Patient'`;
}

/** Builds the visibility condition for a policy. */
export function visibilityFor(policy: AccessPolicy): Visibility {
  if (policy.kind === 'unrestricted') return UNRESTRICTED;
  const directory = (b: Bind, r: string) => `(${r}.patient_id IS NULL AND ${r}.resource_type = ANY(${b.bind(DIRECTORY)}::text[]))`;
  switch (policy.kind) {
    case 'directory-only':
      return directory;
    case 'patient':
      return (b, r) => {
        const hidden = (codes: string[]) =>
          `NOT EXISTS (SELECT 1 FROM search_token h WHERE h.resource_type = ${r}.resource_type AND h.id = ${r}.id AND h.param = '${ACCESS_PARAM.online}' AND h.code = ANY(${b.bind(codes)}::text[]))`;
        const parts = [directory(b, r)];
        if (policy.own.length > 0) parts.push(`(${r}.patient_id = ANY(${b.bind(policy.own)}::text[]) AND ${hidden(['hidden', 'awaiting-filing'])})`);
        if (policy.proxied.length > 0) parts.push(`(${r}.patient_id = ANY(${b.bind(policy.proxied)}::text[]) AND ${hidden(['hidden', 'awaiting-filing', 'hidden-from-proxy'])})`);
        if (policy.limited.length > 0) parts.push(`(${r}.resource_type = 'Patient' AND ${r}.id = ANY(${b.bind(policy.limited)}::text[]))`);
        return `(${parts.join(' OR ')})`;
      };
    case 'staff':
      return (b, r, person) => {
        const grantees = b.bind(policy.grantees);
        const relTypes = b.bind(RELATIONSHIP_TYPES);
        const subject = b.bind(policy.subject);
        // Each check below is written over "the person's records" `pp`: per row (correlated) in
        // general, or once per query for a patient-scoped search.
        const staffCondition = (pp: string) => {
          const related = `(EXISTS (SELECT 1 FROM search_token g WHERE g.patient_id = ANY(${pp}) AND g.resource_type = ANY(${relTypes}::text[]) AND g.param = '${ACCESS_PARAM.grantee}' AND g.code = ANY(${grantees}::text[]))
            OR EXISTS (SELECT 1 FROM break_glass_grants bg WHERE bg.subject = ${subject} AND bg.patient_id = ANY(${pp}) AND bg.expires_at > now()))`;
          // What the patient withheld from sharing, and a practice's dissent-to-share flag, bind
          // everyone but the patient's registered practice (nhs-domain §4).
          const registeredHere = `EXISTS (SELECT 1 FROM search_token g WHERE g.patient_id = ANY(${pp}) AND g.resource_type = 'Patient' AND g.param = '${ACCESS_PARAM.grantee}' AND g.system = 'registered' AND g.code = ANY(${grantees}::text[]))`;
          const notWithheld = `NOT EXISTS (SELECT 1 FROM search_token c WHERE c.patient_id = ANY(${pp}) AND c.resource_type = 'Consent' AND c.param = '${ACCESS_PARAM.consent}'
              AND (c.code = 'dissent-to-share' OR c.code = 'withhold-source:' || ${r}.source
                   OR (c.code LIKE 'withhold-category:%' AND EXISTS (SELECT 1 FROM search_token s WHERE s.resource_type = ${r}.resource_type AND s.id = ${r}.id AND s.param = '${ACCESS_PARAM.sensitivity}' AND c.code = 'withhold-category:' || s.code))))`;
          return `${related} AND (${notWithheld} OR ${registeredHere})`;
        };
        const perRow = staffCondition(`ARRAY(${personRecords(r)})`);
        if (person === undefined) return `(${directory(b, r)} OR (${r}.patient_id IS NOT NULL AND ${perRow}))`;
        // The person's records, once: the scope and its links.
        const pp = `ARRAY(SELECT unnest(${person}::text[]) UNION ${linkedTo(`${person}::text[]`)})`;
        return `(${directory(b, r)} OR (${r}.patient_id = ANY(${pp}) AND ${staffCondition(pp)})
          OR (${r}.patient_id IS NOT NULL AND NOT ${r}.patient_id = ANY(${pp}) AND ${perRow}))`;
      };
  }
}

/**
 * For secondary use (analytics, research, bulk extracts — not direct care): excludes the records
 * of people who opted out, by the National Data Opt-out or a Type 1 objection (nhs-domain §4).
 * Stricter than Type 1 requires (it covers GP data only): everything of theirs is left out.
 */
export function notOptedOut(r: string): string {
  return `NOT (${r}.patient_id IS NOT NULL AND EXISTS (SELECT 1 FROM search_token c WHERE c.patient_id = ANY(ARRAY(${personRecords(r)}))
    AND c.resource_type = 'Consent' AND c.param = '${ACCESS_PARAM.consent}' AND c.code IN ('national-data-opt-out', 'type-1-opt-out')))`;
}
