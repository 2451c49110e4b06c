/**
 * Streams every current (not deleted) resource, type by type, in pages keyed on id, so memory
 * stays flat however large the store. https://hl7.org/fhir/R4/nd-json.html
 */
import type { SqlClient } from './database.js';

/** Yields current resources of `types` (all types when empty). */
export async function* exportResources(db: SqlClient, types: string[], pageSize = 1000): AsyncGenerator<{ resourceType: string; id: string; json: string }> {
  let after: [string, string] = ['', ''];
  for (;;) {
    const params: unknown[] = [after[0], after[1], pageSize];
    let typeFilter = '';
    if (types.length > 0) {
      params.push(types);
      typeFilter = 'AND resource_type = ANY($4::text[])';
    }
    const res = await db.query<{ resource_type: string; id: string; content: string }>(
      `SELECT resource_type, id, content FROM resources WHERE NOT is_deleted AND (resource_type, id) > ($1, $2) ${typeFilter}
       ORDER BY resource_type, id LIMIT $3`,
      params,
    );
    for (const r of res.rows) yield { resourceType: r.resource_type, id: r.id, json: r.content };
    if (res.rows.length < pageSize) return;
    const last = res.rows[res.rows.length - 1]!;
    after = [last.resource_type, last.id];
  }
}
