/**
 * When each source system last delivered data successfully, and when a delivery last failed
 * (`source_deliveries`, migration 0010). The ingest path (`bundle-processor.ts`) notes one
 * outcome per bundle and source after the bundle has committed or rolled back, so the row lock
 * is held for one short statement, never across a bundle's transaction. Best effort: a failure
 * to note an outcome never fails the delivery itself (the next delivery corrects the row).
 */
import type { Bundle } from '../fhir/types.js';
import type { SqlClient } from './database.js';

/** What Tessera knows of one source's deliveries. */
export interface SourceDelivery {
  /** The `meta.source` URI. */
  source: string;
  lastSuccess?: Date;
  lastFailure?: Date;
  /** The HTTP status of the last failure. */
  failureStatus?: number;
}

/** At most this many distinct sources are noted per bundle (a bundle normally has one). */
const MAX_SOURCES = 16;

/** The distinct `meta.source` URIs of a bundle's entries (sorted, so upserts lock in one order). */
export function bundleSources(bundle: Pick<Bundle, 'entry'>): string[] {
  const out = new Set<string>();
  for (const e of Array.isArray(bundle.entry) ? bundle.entry : []) {
    const src = (e?.resource as { meta?: { source?: unknown } } | undefined)?.meta?.source;
    if (typeof src === 'string' && src.length > 0 && src.length <= 2048) out.add(src);
    if (out.size >= MAX_SOURCES) break;
  }
  return [...out].sort();
}

/**
 * Notes one delivery outcome for each of `sources`: one statement. `failureStatus` undefined
 * means success. Errors are swallowed (and returned) so ingest never fails because of this.
 */
export async function noteDeliveries(db: SqlClient, sources: readonly string[], failureStatus?: number): Promise<unknown> {
  if (sources.length === 0) return undefined;
  try {
    if (failureStatus === undefined) {
      await db.query(
        `INSERT INTO source_deliveries (source, last_success) SELECT s, now() FROM unnest($1::text[]) AS s
         ON CONFLICT (source) DO UPDATE SET last_success = EXCLUDED.last_success, updated_at = now()`,
        [sources], { prepare: true },
      );
    } else {
      await db.query(
        `INSERT INTO source_deliveries (source, last_failure, failure_status) SELECT s, now(), $2 FROM unnest($1::text[]) AS s
         ON CONFLICT (source) DO UPDATE SET last_failure = EXCLUDED.last_failure, failure_status = EXCLUDED.failure_status, updated_at = now()`,
        [sources, failureStatus], { prepare: true },
      );
    }
    return undefined;
  } catch (err) {
    return err;
  }
}

/** Every source's deliveries (a row per source system: a small table). */
export async function listSourceDeliveries(db: SqlClient): Promise<SourceDelivery[]> {
  const res = await db.query<{ source: string; last_success: Date | string | null; last_failure: Date | string | null; failure_status: number | null }>(
    'SELECT source, last_success, last_failure, failure_status FROM source_deliveries', [], { prepare: true },
  );
  return res.rows.map((r) => ({
    source: r.source,
    ...(r.last_success ? { lastSuccess: new Date(r.last_success) } : {}),
    ...(r.last_failure ? { lastFailure: new Date(r.last_failure) } : {}),
    ...(r.failure_status !== null ? { failureStatus: r.failure_status } : {}),
  }));
}
