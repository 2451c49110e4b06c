/**
 * An access policy (`access/policy.ts`) as one SQL condition on a row of `resources`, applied
 * inside every query that reads records, so what a caller may not see is never read, counted,
 * included, chained through or matched by `_has`. Every value is bound; the lookups it makes
 * are index probes on the access rows (`access/access-entries.ts`) of the search token table.
 */
import { ACCESS_PARAM, RELATIONSHIP_TYPES } from '../access/access-entries.js';
import type { AccessPolicy } from '../access/policy.js';
import { DIRECTORY_TYPES } from '../access/directory-types.js';
import { FREE_TEXT_TYPES, SUMMARY_TYPES } from '../access/online-level.js';
import type { QueryOptions, SqlClient } from './database.js';

/** Hands out `$n` placeholders (the search `Binder` satisfies it). */
export interface Bind {
  bind(v: unknown): string;
}

/**
 * The condition for alias `r` of `resources`. `person`, when given, is a bound `text[]` of one
 * person's record ids that the query is already confined to (a patient-scoped search): the
 * per-person checks are then made once per query instead of once per row.
 */
export type Visibility = ((b: Bind, r: string, person?: string) => string) & {
  /**
   * For a query confined to one person's records (`ids`): decides what this caller may see of
   * that person with one small query up front, and returns the (much smaller) condition to use
   * on the query's own rows. Absent when the general condition is already cheap.
   */
  forPerson?: (db: SqlClient, ids: readonly string[]) => Promise<Visibility>;
  /**
   * The condition costs PostgreSQL far more to plan than to run (a dozen correlated
   * sub-queries), so statements using it ask for a generic plan (`QueryOptions.plan`).
   */
  planOnce?: boolean;
};

/** No restriction (internal use and backend systems). */
export const UNRESTRICTED: Visibility = () => 'TRUE';

/** Nothing at all. */
export const NOTHING: Visibility = () => 'FALSE';

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

/** What one member of staff may see of one person, as decided by `Visibility.forPerson`. */
export interface PersonDecision {
  records: string[];
  related: boolean;
  /**
   * When the member of staff is related only through breaking the glass: when the last of
   * their grants ends (epoch ms). The decision must not be remembered past it.
   */
  until?: number;
  registered: boolean;
  withheld: boolean;
}

/**
 * Remembers person decisions for a few seconds (shared by a node's requests). A change made on
 * this node clears it at once (`AccessResolver.forget`); other nodes see it within the TTL.
 */
export interface DecisionCache {
  get(key: string): PersonDecision | undefined;
  set(key: string, d: PersonDecision): void;
}

/** Builds the visibility condition for a policy. */
export function visibilityFor(policy: AccessPolicy, cache?: DecisionCache): Visibility {
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
        // The practice's lower online access levels: by resource type (`access/online-level.ts`).
        if (policy.coded?.length) parts.push(`(${r}.patient_id = ANY(${b.bind(policy.coded)}::text[]) AND ${r}.resource_type <> ALL(${b.bind(FREE_TEXT_TYPES)}::text[]) AND ${hidden(['hidden', 'awaiting-filing'])})`);
        if (policy.summary?.length) parts.push(`(${r}.patient_id = ANY(${b.bind(policy.summary)}::text[]) AND ${r}.resource_type = ANY(${b.bind(SUMMARY_TYPES)}::text[]) AND ${hidden(['hidden', 'awaiting-filing'])})`);
        if (policy.limited.length > 0) parts.push(`(${r}.resource_type = 'Patient' AND ${r}.id = ANY(${b.bind(policy.limited)}::text[]))`);
        return `(${parts.join(' OR ')})`;
      };
    case 'staff': {
      const general: Visibility = (b, r, person) => {
        const grantees = b.bind(policy.grantees);
        const relTypes = b.bind(RELATIONSHIP_TYPES);
        const subject = b.bind(policy.subject);
        // Each check below is written over "the person's records" `pp`: per row (correlated) in
        // general, or once per query for a patient-scoped search.
        const staffCondition = (pp: string, once = false) => {
          const related = `(EXISTS (SELECT 1 FROM search_token g WHERE g.patient_id = ANY(${pp}) AND g.resource_type = ANY(${relTypes}::text[]) AND g.param = '${ACCESS_PARAM.grantee}' AND g.code = ANY(${grantees}::text[]))
            OR EXISTS (SELECT 1 FROM break_glass_grants bg WHERE bg.subject = ${subject} AND bg.patient_id = ANY(${pp}) AND bg.expires_at > now()))`;
          // What the patient withheld from sharing, and a practice's dissent-to-share flag, bind
          // everyone but the patient's registered practice (nhs-domain §4).
          const registeredHere = `EXISTS (SELECT 1 FROM search_token g WHERE g.patient_id = ANY(${pp}) AND g.resource_type = 'Patient' AND g.param = '${ACCESS_PARAM.grantee}' AND g.system = 'registered' AND g.code = ANY(${grantees}::text[]))`;
          const notWithheld = `NOT EXISTS (SELECT 1 FROM search_token c WHERE c.patient_id = ANY(${pp}) AND c.resource_type = 'Consent' AND c.param = '${ACCESS_PARAM.consent}'
              AND (c.code = 'dissent-to-share' OR c.code = 'withhold-source:' || ${r}.source
                   OR (c.code LIKE 'withhold-category:%' AND EXISTS (SELECT 1 FROM search_token s WHERE s.resource_type = ${r}.resource_type AND s.id = ${r}.id AND s.param = '${ACCESS_PARAM.sensitivity}' AND c.code = 'withhold-category:' || s.code))))`;
          // Once per query: when the person withheld nothing, skip the per-row check entirely.
          const nothingWithheld = `NOT EXISTS (SELECT 1 FROM search_token c WHERE c.patient_id = ANY(${pp}) AND c.resource_type = 'Consent' AND c.param = '${ACCESS_PARAM.consent}'
              AND (c.code = 'dissent-to-share' OR c.code LIKE 'withhold-%'))`;
          return once ? `${related} AND (${nothingWithheld} OR ${registeredHere} OR ${notWithheld})` : `${related} AND (${notWithheld} OR ${registeredHere})`;
        };
        // Per row: the person's records once, as \`x.pp\`, for all four checks. \`OFFSET 0\` keeps the
        // planner from substituting the sub-query into each check (planning and running it four
        // times: most of a staff name search's planning time).
        if (person === undefined) return `(${directory(b, r)} OR (${r}.patient_id IS NOT NULL AND EXISTS (SELECT 1 FROM (SELECT ARRAY(${personRecords(r)}) AS pp OFFSET 0) x WHERE ${staffCondition('x.pp')})))`;
        // A patient-scoped search: the person's records, and every check on them, once per query
        // (uncorrelated sub-queries run once). Rows whose own record is another person's (a
        // resource in two compartments) are left out: fail closed.
        const pp = `ARRAY(SELECT unnest(${person}::text[]) UNION ${linkedTo(`${person}::text[]`)})`;
        return `(${directory(b, r)} OR (${r}.patient_id = ANY(${pp}) AND ${staffCondition(pp, true)}))`;
      };
      general.planOnce = true;
      general.forPerson = async (db, ids) => {
        const key = `${policy.subject}|${policy.grantees.join(' ')}|${ids.join(' ')}`;
        const d = cache?.get(key) ?? (await decide(db, ids));
        cache?.set(key, d);
        if (!d.related) return NOTHING;
        // Withholding applies item by item: keep the general condition for those people.
        if (d.withheld && !d.registered) return general;
        const records = d.records;
        return (b, r) => `${r}.patient_id = ANY(${b.bind(records)}::text[])`;
      };
      const decide = async (db: SqlClient, ids: readonly string[]): Promise<PersonDecision> => {
        // Two small prepared queries rather than one with the person's records as a shared
        // sub-query: the planner spent several times longer on that than on running it. Each is
        // planned once for all values: PostgreSQL otherwise planned them for every decision
        // (0.6 and 1 ms, against 0.03 ms to run; measured in the read benchmark's statement log).
        const once: QueryOptions = { prepare: true, plan: 'generic' };
        const linked = await db.query<{ pid: string }>(`SELECT pid FROM (${linkedTo('$1::text[]')}) AS linked(pid)`, [ids], once);
        const records = [...new Set([...ids, ...linked.rows.map((r) => r.pid)])];
        const res = await db.query<{ cared: boolean; glass_until: number | null; registered: boolean; withheld: boolean }>(
          `SELECT
             EXISTS (SELECT 1 FROM search_token g WHERE g.patient_id = ANY($1::text[]) AND g.resource_type = ANY($2::text[]) AND g.param = '${ACCESS_PARAM.grantee}' AND g.code = ANY($3::text[])) AS cared,
             (SELECT (extract(epoch FROM max(bg.expires_at)) * 1000)::float8 FROM break_glass_grants bg WHERE bg.subject = $4 AND bg.patient_id = ANY($1::text[]) AND bg.expires_at > now()) AS glass_until,
             EXISTS (SELECT 1 FROM search_token g WHERE g.patient_id = ANY($1::text[]) AND g.resource_type = 'Patient' AND g.param = '${ACCESS_PARAM.grantee}' AND g.system = 'registered' AND g.code = ANY($3::text[])) AS registered,
             EXISTS (SELECT 1 FROM search_token c WHERE c.patient_id = ANY($1::text[]) AND c.resource_type = 'Consent' AND c.param = '${ACCESS_PARAM.consent}' AND (c.code = 'dissent-to-share' OR c.code LIKE 'withhold-%')) AS withheld`,
          [records, RELATIONSHIP_TYPES, policy.grantees, policy.subject],
          once,
        );
        const row = res.rows[0];
        const cared = row?.cared ?? false;
        const glassUntil = row?.glass_until ?? null;
        const d: PersonDecision = { records, related: cared || glassUntil !== null, registered: row?.registered ?? false, withheld: row?.withheld ?? false };
        if (!cared && glassUntil !== null) d.until = glassUntil;
        return d;
      };
      return general;
    }
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
