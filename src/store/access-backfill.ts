/**
 * Computes the access rows (`access/access-entries.ts`) of resources stored before those rows
 * existed, once per database, so a database created by an older Tessera enforces the same
 * rules as a new one. Runs in batches (keyset-paged, each batch one transaction), so it can
 * stop and resume; a setting records completion.
 */
import { ACCESS_PARAM, accessEntries } from '../access/access-entries.js';
import type { SearchRegistry } from '../search/registry.js';
import type { Database } from './database.js';
import { getSetting, setSetting } from './settings.js';

/** Bumped whenever the access rows' rules change, so existing databases are brought up to date. */
export const ACCESS_ROWS_VERSION = '2';
const SETTING = 'access_rows_version';

/** Brings the access rows up to date; returns the number of resources processed (0 if current). */
export async function backfillAccessRows(db: Database, registry: SearchRegistry, batch = 500): Promise<number> {
  if ((await getSetting(db, SETTING)) === ACCESS_ROWS_VERSION) return 0;
  const params = Object.values(ACCESS_PARAM);
  let after: [string, string] = ['', ''];
  let total = 0;
  for (;;) {
    const res = await db.query<{ resource_type: string; id: string; content: string }>(
      `SELECT resource_type, id, content FROM resources WHERE NOT is_deleted AND (resource_type, id) > ($1, $2) ORDER BY resource_type, id LIMIT $3`,
      [after[0], after[1], batch],
    );
    if (res.rows.length === 0) break;
    const rows: [string, string, string | null, string, string | null, string | null, string | null][] = [];
    for (const r of res.rows) {
      const resource = JSON.parse(r.content) as { resourceType: string; id?: string };
      const keys = registry.patientKeys(resource);
      for (const e of accessEntries(resource as Record<string, unknown>)) {
        for (const pid of keys.length > 0 ? keys : [null]) rows.push([r.resource_type, r.id, pid, e.param, e.system, e.code, e.text]);
      }
    }
    await db.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM search_token WHERE (resource_type, id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND param = ANY($3::text[])`,
        [res.rows.map((r) => r.resource_type), res.rows.map((r) => r.id), params],
      );
      if (rows.length > 0) {
        const col = (i: number) => rows.map((row) => row[i]);
        await tx.query(
          `INSERT INTO search_token (resource_type, id, patient_id, param, system, code, text_value)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
          [col(0), col(1), col(2), col(3), col(4), col(5), col(6)],
        );
      }
    });
    total += res.rows.length;
    const last = res.rows[res.rows.length - 1]!;
    after = [last.resource_type, last.id];
  }
  await setSetting(db, SETTING, ACCESS_ROWS_VERSION);
  return total;
}
