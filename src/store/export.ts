/**
 * Streams every current (not deleted) resource, type by type, in pages keyed on id, so memory
 * stays flat however large the store. https://hl7.org/fhir/R4/nd-json.html
 */
import type { SqlClient } from './database.js';
import { notOptedOut } from './access-sql.js';

/**
 * What an export is for. `direct-care` (moving records between care systems) takes everything;
 * `secondary-use` (analytics, research, planning) leaves out people who opted out.
 */
export type ExportPurpose = 'direct-care' | 'secondary-use';

/** Yields current resources of `types` (all types when empty). */
export async function* exportResources(db: SqlClient, types: string[], pageSize = 1000, purpose: ExportPurpose = 'direct-care'): AsyncGenerator<{ resourceType: string; id: string; json: string; patientId: string | null }> {
  const optOut = purpose === 'secondary-use' ? `AND ${notOptedOut('r')}` : '';
  let after: [string, string] = ['', ''];
  for (;;) {
    const params: unknown[] = [after[0], after[1], pageSize];
    let typeFilter = '';
    if (types.length > 0) {
      params.push(types);
      typeFilter = 'AND r.resource_type = ANY($4::text[])';
    }
    const res = await db.query<{ resource_type: string; id: string; content: string; patient_id: string | null }>(
      `SELECT r.resource_type, r.id, r.content, r.patient_id FROM resources r WHERE NOT r.is_deleted AND (r.resource_type, r.id) > ($1, $2) ${typeFilter} ${optOut}
       ORDER BY r.resource_type, r.id LIMIT $3`,
      params,
    );
    for (const r of res.rows) yield { resourceType: r.resource_type, id: r.id, json: r.content, patientId: r.patient_id };
    if (res.rows.length < pageSize) return;
    const last = res.rows[res.rows.length - 1]!;
    after = [last.resource_type, last.id];
  }
}
