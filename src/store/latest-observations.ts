/**
 * What a record-based calculation reads, in one round trip: the Patient, the newest live
 * Observations per requested code, and the live Conditions with requested codes, across every
 * Patient record linked to the patient (as a compartment search would see them).
 *
 * The SQL text never changes with the request (codes and limits are bound as arrays and
 * numbers), so it is a prepared statement that PostgreSQL stops planning after its first few
 * runs on a connection, where a generic FHIR search per input was planned on every call:
 * planning was most of a calculation's time.
 *
 * Observations are matched on `combo-code` (the Observation's code or a component's, so a
 * systolic pressure inside a blood pressure panel counts) and ordered as `_sort=-date` orders
 * them: by the latest end of their `date` (effective[x]) ranges, newest first, then by id.
 *
 * @see https://hl7.org/fhir/R4/observation.html#search
 * @see https://hl7.org/fhir/R4/patient.html#links
 */
import type { SqlClient } from './database.js';
import { NOTHING, UNRESTRICTED, type Visibility } from './access-sql.js';
import { Binder } from './search-sql.js';

/** A code in a code system, as indexed from a Coding. */
export interface TokenCode {
  readonly system: string;
  readonly code: string;
}

/** What to read. */
export interface LatestObservationsQuery {
  readonly patientId: string;
  /** Observation codes (root or component). Empty reads no Observations. */
  readonly observationCodes: readonly TokenCode[];
  /** How many Observations to return per code, newest first (at least 1). */
  readonly perCode: number;
  /** Condition codes (`Condition.code`). Empty reads no Conditions. */
  readonly conditionCodes: readonly TokenCode[];
  /** The most Conditions to return, in id order. */
  readonly conditionLimit: number;
  /** What the caller may see (default: everything); what they may not see is not read. */
  readonly visible?: Visibility;
}

/** One Observation of the result. */
export interface LatestObservation {
  readonly id: string;
  /** The stored JSON text. */
  readonly json: string;
  /** The requested codes (`system|code`) for which it is among the newest `perCode`. */
  readonly codes: readonly string[];
  /**
   * Requested codes for which it is the last one returned although older ones exist: a caller
   * that has found nothing usable for such a code by this row must ask again with a larger
   * `perCode`.
   */
  readonly truncated: readonly string[];
}

/** The result. */
export interface LatestObservations {
  /** The Patient's current JSON, or `undefined` when it is unknown or deleted. */
  readonly patient?: { readonly id: string; readonly json: string };
  /** Newest first (latest end of the `date` ranges, then id); undated ones last. */
  readonly observations: readonly LatestObservation[];
  /** In id order, at most `conditionLimit`. */
  readonly conditions: readonly { readonly id: string; readonly json: string }[];
}

/** Stands for the person's bound record ids until it is known whether the condition uses them. */
const PERSON_PLACEHOLDER = '$person';

/** Most Patient records one person may have across systems, as in `linkedPatients`. */
const MAX_LINKED = 50;

/**
 * Ids (and `system|code` tokens) of `type` resources in the record whose `param` has one of the
 * codes in the arrays `systems` and `codes`, looked up patient by patient. The lookup is a
 * LATERAL sub-select kept apart by `OFFSET 0`, so it is planned for one patient at a time and
 * always starts from that patient's rows of the per-patient index. (Flattened into a join with
 * the set of patients, a prepared statement's generic plan cannot tell how many patients share a
 * code, and may read every patient's rows of that code instead.)
 *
 * The arrays are read through sub-selects so that every plan, custom or generic, assumes the same
 * handful of codes: the plans then cost the same, and PostgreSQL keeps the generic plan after
 * five runs instead of planning the statement again on every call.
 */
function codedIn(type: 'Observation' | 'Condition', param: string, systems: string, codes: string): string {
  return `
  SELECT DISTINCT f.id, f.token
    FROM patients p
   CROSS JOIN LATERAL (
     SELECT t.id, w.system || '|' || w.code AS token
       FROM unnest((SELECT ${systems}::text[]), (SELECT ${codes}::text[])) AS w(system, code)
       JOIN search_token t
         ON t.patient_id = p.id AND t.resource_type = '${type}' AND t.param = '${param}' AND t.code = w.code AND t.system = w.system
     OFFSET 0) f`;
}

// One statement, fixed text. Notes on its parts:
// - `linked` follows Patient.link in both directions, transitively (UNION stops at cycles), to
//   live Patients only, as `linkedPatients` does.
// - Index rows carry the key of every patient whose compartment holds the resource, so a
//   `patient_id` of the record is the compartment, answered from the per-patient index ranges.
// - Liveness is checked before ranking, so a deleted Observation never takes a place in a code's
//   newest `perCode`.
// - The sort key is the one `_sort=-date` uses (max of the `date` rows' upper bounds), so the
//   same Observations come first as from a search.
const SQL = `
WITH RECURSIVE linked(id) AS (
  SELECT $1::text
  UNION
  SELECT o.other FROM linked l
  CROSS JOIN LATERAL (
    SELECT x.target_id AS other FROM search_reference x
     WHERE x.resource_type = 'Patient' AND x.id = l.id AND x.param = 'link' AND x.target_type = 'Patient'
    UNION ALL
    SELECT x.id FROM search_reference x
     WHERE x.target_id = l.id AND x.target_type = 'Patient' AND x.param = 'link' AND x.resource_type = 'Patient'
  ) o
  JOIN resources p ON p.resource_type = 'Patient' AND p.id = o.other AND NOT p.is_deleted
),
patients AS (SELECT id FROM linked LIMIT ${MAX_LINKED}),
candidates AS (${codedIn('Observation', 'combo-code', '$2', '$3')}
),
keyed AS (
  SELECT c.id, c.token,
         COALESCE((SELECT max(d.hi) FROM search_date d WHERE d.resource_type = 'Observation' AND d.id = c.id AND d.param = 'date'),
                  '-infinity'::timestamptz) AS k
    FROM candidates c
   WHERE EXISTS (SELECT 1 FROM resources r WHERE r.resource_type = 'Observation' AND r.id = c.id AND NOT r.is_deleted)
),
ranked AS (
  SELECT id, token, k,
         row_number() OVER (PARTITION BY token ORDER BY k DESC, id) AS n,
         count(*) OVER (PARTITION BY token) AS available
    FROM keyed
),
latest AS (
  SELECT id, max(k) AS k, array_agg(token) AS tokens,
         COALESCE(array_agg(token) FILTER (WHERE n = $4 AND available > $4), '{}') AS truncated
    FROM ranked
   WHERE n <= $4
   GROUP BY id
),
conditions AS (${codedIn('Condition', 'code', '$5', '$6')}
)
SELECT 'Patient' AS kind, r.id, r.content, NULL::text[] AS tokens, NULL::text[] AS truncated, NULL::timestamptz AS k
  FROM resources r
 WHERE r.resource_type = 'Patient' AND r.id = $1 AND NOT r.is_deleted /*visible*/
UNION ALL
SELECT 'Observation', r.id, r.content, l.tokens, l.truncated, l.k
  FROM latest l
  JOIN resources r ON r.resource_type = 'Observation' AND r.id = l.id
 WHERE TRUE /*visible*/
UNION ALL
(SELECT 'Condition', r.id, r.content, NULL, NULL, NULL
   FROM (SELECT DISTINCT id FROM conditions) c
   JOIN resources r ON r.resource_type = 'Condition' AND r.id = c.id AND NOT r.is_deleted /*visible*/
  ORDER BY r.id
  LIMIT $7)
ORDER BY kind, k DESC, id`;

interface Row {
  kind: 'Patient' | 'Observation' | 'Condition';
  id: string;
  content: string;
  tokens: string[] | null;
  truncated: string[] | null;
}

/**
 * Reads, for `Patient/{patientId}` and the Patient records linked to it, the Patient, the newest
 * `perCode` live Observations per requested code, and up to `conditionLimit` live Conditions
 * with a requested code. One statement, prepared once. Nothing is filtered by status, subject
 * or date beyond that: the caller decides what counts.
 */
export async function latestObservations(db: SqlClient, q: LatestObservationsQuery): Promise<LatestObservations> {
  if (!(Number.isSafeInteger(q.perCode) && q.perCode >= 1)) throw new RangeError(`perCode must be a positive integer, not ${q.perCode}`);
  if (!(Number.isSafeInteger(q.conditionLimit) && q.conditionLimit >= 0)) throw new RangeError(`conditionLimit must be a whole number, not ${q.conditionLimit}`);
  // Staff: decide for the person once (remembered briefly), then use the small condition that
  // decision leaves; someone they may not see reads as an unknown patient.
  let visible = q.visible ?? UNRESTRICTED;
  if (visible.forPerson) {
    visible = await visible.forPerson(db, [q.patientId]);
    if (visible === NOTHING) return { observations: [], conditions: [] };
  }
  const b = new Binder(visible);
  for (const v of [
    q.patientId,
    q.observationCodes.map((c) => c.system), q.observationCodes.map((c) => c.code), q.perCode,
    q.conditionCodes.map((c) => c.system), q.conditionCodes.map((c) => c.code), q.conditionLimit,
  ]) b.bind(v);
  // The caller's visibility, on every resource returned (a fixed text per kind of caller, so
  // still one prepared plan each). Hidden readings are as if never recorded.
  // The person's record ids are bound only if the condition uses them (an unused parameter has
  // no type PostgreSQL can work out, and the condition left by a staff decision does not).
  let sql = visible === UNRESTRICTED ? SQL : SQL.replaceAll('/*visible*/', () => b.visibleAnd('r', PERSON_PLACEHOLDER));
  if (sql.includes(PERSON_PLACEHOLDER)) sql = sql.replaceAll(PERSON_PLACEHOLDER, b.bind([q.patientId]));
  const res = await db.query<Row>(sql, b.values, { prepare: true });
  let patient: LatestObservations['patient'];
  const observations: LatestObservation[] = [];
  const conditions: { id: string; json: string }[] = [];
  for (const row of res.rows) {
    if (row.kind === 'Patient') patient = { id: row.id, json: row.content };
    else if (row.kind === 'Observation') observations.push({ id: row.id, json: row.content, codes: row.tokens ?? [], truncated: row.truncated ?? [] });
    else conditions.push({ id: row.id, json: row.content });
  }
  return { ...(patient ? { patient } : {}), observations, conditions };
}
