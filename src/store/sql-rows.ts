/**
 * Multi-row writes: every batch of rows goes to PostgreSQL as one statement with one array
 * parameter per column (`INSERT … SELECT * FROM unnest($1::text[], …)`), so a transaction bundle
 * of hundreds of resources costs a handful of round trips, all with bound parameters.
 */
import type { SqlClient } from './database.js';

/** A column: its name and SQL array type. */
export interface Column {
  name: string;
  type: 'text' | 'int' | 'bool' | 'timestamptz' | 'float8';
}

/** Inserts rows (arrays of values in column order) into `table` in one statement. */
export async function insertRows(
  tx: SqlClient,
  table: string,
  columns: readonly Column[],
  rows: readonly unknown[][],
  onConflict = '',
): Promise<void> {
  if (rows.length === 0) return;
  const arrays: unknown[][] = columns.map(() => new Array(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < columns.length; c++) arrays[c]![r] = row[c];
  }
  const names = columns.map((c) => c.name).join(', ');
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  await tx.query(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest}) ${onConflict}`, arrays);
}
