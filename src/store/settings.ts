/** Reads and writes the `settings` table (database-wide facts, not per-node state). */
import type { SqlClient } from './database.js';

/** The value of `key`, or undefined. */
export async function getSetting(db: SqlClient, key: string): Promise<string | undefined> {
  const res = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
  return res.rows[0]?.value;
}

/** Sets `key` to `value`. */
export async function setSetting(db: SqlClient, key: string, value: string): Promise<void> {
  await db.query(
    'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()',
    [key, value],
  );
}
