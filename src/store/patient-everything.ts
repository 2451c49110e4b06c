/**
 * The data behind `Patient/{id}/$everything`: the patient, every resource in their compartment,
 * and the resources those refer to that sit outside any patient's record (practitioners,
 * organisations, locations, medications). The compartment is found through the patient key
 * column (one index range) plus the compartment's reference parameters, so the cost grows with
 * the patient's record, not with the database.
 *
 * @see https://hl7.org/fhir/R4/patient-operation-everything.html
 */
import type { SearchRegistry } from '../search/registry.js';
import type { SqlClient } from './database.js';
import { UNRESTRICTED, type Visibility } from './access-sql.js';
import { Binder } from './search-sql.js';

/** Options of $everything. */
export interface EverythingOptions {
  /** Only resources changed since this instant (`_since`). */
  since?: Date;
  /** Only these resource types (`_type`). */
  types?: string[];
  /** What the caller may see (default: everything). */
  visible?: Visibility;
}

/** One resource of the result. */
export interface EverythingRow {
  resourceType: string;
  id: string;
  json: string;
  /** The record it belongs to (null for what belongs to none). */
  patientId: string | null;
}

/** Most Patient records one person may have across systems (a guard against runaway links). */
const MAX_LINKED = 50;

/**
 * The patient and every Patient record linked to it (`Patient.link`, in either direction,
 * transitively): one person's records across source systems.
 * https://hl7.org/fhir/R4/patient.html#links
 */
export async function linkedPatients(db: SqlClient, patientId: string): Promise<string[]> {
  const seen = new Set([patientId]);
  let frontier = [patientId];
  while (frontier.length > 0 && seen.size < MAX_LINKED) {
    const res = await db.query<{ other: string }>(
      `SELECT x.target_id AS other FROM search_reference x JOIN resources r ON r.resource_type = 'Patient' AND r.id = x.target_id AND NOT r.is_deleted
        WHERE x.resource_type = 'Patient' AND x.param = 'link' AND x.target_type = 'Patient' AND x.id = ANY($1::text[])
       UNION
       SELECT x.id AS other FROM search_reference x JOIN resources r ON r.resource_type = 'Patient' AND r.id = x.id AND NOT r.is_deleted
        WHERE x.resource_type = 'Patient' AND x.param = 'link' AND x.target_type = 'Patient' AND x.target_id = ANY($1::text[])`,
      [frontier],
      // Fixed text, run by every compartment search and $everything: parse and plan it once.
      { prepare: true },
    );
    frontier = res.rows.map((r) => r.other).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  return [...seen];
}

/** Reads the patient's whole record (current versions), across linked records, the Patients first. */
export async function patientEverything(db: SqlClient, registry: SearchRegistry, patientId: string, opts: EverythingOptions = {}): Promise<EverythingRow[]> {
  const compartmentParams = registry.compartmentParamCodes();
  const patients = await linkedPatients(db, patientId);
  const visible = opts.visible ?? UNRESTRICTED;
  // Access to the person is decided once for the whole record, not per row.
  const scoped = visible.forPerson ? await visible.forPerson(db, patients) : undefined;
  const b = new Binder(visible, scoped);
  b.bind(patients);
  b.bind(compartmentParams);
  const conds: string[] = [];
  if (opts.since) conds.push(`a.last_updated >= ${b.bind(opts.since)}`);
  if (opts.types && opts.types.length > 0) conds.push(`a.resource_type = ANY(${b.bind(opts.types)}::text[])`);
  const visibleR = b.visibleAnd('r', '$1');
  const visibleT = b.visibleAnd('t');
  // The record: resources keyed to the patients, plus those of other patients (or none) that
  // name them in a compartment parameter — disjoint, so no de-duplication over the content. A
  // resource is indexed once per compartment it is in, and every copy carries all its
  // references; the copy under its own patient key is the one the second branch finds.
  // What they refer to outside any record: the distinct targets first (a record of a thousand
  // resources names the same few practitioners thousands of times), then one lookup each.
  const res = await db.query<{ resource_type: string; id: string; content: string; patient_id: string | null }>(
    `WITH record AS MATERIALIZED (
       SELECT r.resource_type, r.id, r.patient_id, r.last_updated, r.content FROM resources r
        WHERE r.patient_id = ANY($1::text[]) AND NOT r.is_deleted${visibleR}
       UNION ALL
       SELECT r.resource_type, r.id, r.patient_id, r.last_updated, r.content FROM resources r
        WHERE (r.resource_type, r.id) IN (
                SELECT x.resource_type, x.id FROM search_reference x
                 WHERE x.target_id = ANY($1::text[]) AND x.target_type = 'Patient' AND x.param = ANY($2::text[])
                   AND (x.patient_id IS NULL OR NOT x.patient_id = ANY($1::text[])))
          AND (r.patient_id IS NULL OR NOT r.patient_id = ANY($1::text[])) AND NOT r.is_deleted${visibleR}
     ),
     targets AS (
       SELECT x.target_type, x.target_id FROM search_reference x
         JOIN record ON record.resource_type = x.resource_type AND record.id = x.id
        WHERE x.patient_id = ANY($1::text[])
       UNION
       SELECT x.target_type, x.target_id FROM record
         JOIN search_reference x ON x.resource_type = record.resource_type AND x.id = record.id
        WHERE record.patient_id IS NULL OR NOT record.patient_id = ANY($1::text[])
     ),
     everything AS (
       SELECT resource_type, id, patient_id, last_updated, content FROM record
       UNION ALL
       SELECT t.resource_type, t.id, t.patient_id, t.last_updated, t.content FROM targets
         JOIN resources t ON t.resource_type = targets.target_type AND t.id = targets.target_id
        WHERE t.patient_id IS NULL AND NOT t.is_deleted${visibleT}
     )
     SELECT a.resource_type, a.id, a.content, a.patient_id FROM everything a
     ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
     ORDER BY (a.resource_type <> 'Patient'), a.resource_type, a.id`,
    b.values,
    // One text per kind of caller and filter set: planned once, not for every record read.
    { prepare: true },
  );
  return res.rows.map((r) => ({ resourceType: r.resource_type, id: r.id, json: r.content, patientId: r.patient_id }));
}
