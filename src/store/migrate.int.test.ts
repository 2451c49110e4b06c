/**
 * Engine-specific parts of the schema: the search statistics exist on PostgreSQL (prepared
 * statements, planned rarely) and not on PGlite (planned every time, where they cost more).
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';

describe.each(ENGINES)('the migrated schema on %s', (engine) => {
  it(engine === 'postgres' ? 'has the search tables\' dependency statistics' : 'leaves the search statistics out', async () => {
    const db = await openTestDatabase(engine);
    try {
      const res = await db.query<{ stxname: string }>(`SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE 'search_%_dependencies' ORDER BY stxname`);
      expect(res.rows.map((r) => r.stxname)).toEqual(engine === 'postgres'
        ? ['search_date_dependencies', 'search_quantity_dependencies', 'search_reference_dependencies', 'search_string_dependencies', 'search_token_dependencies']
        : []);
    } finally {
      await db.close();
    }
  });
});
