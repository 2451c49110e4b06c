/**
 * The current search registry of one node: the base definitions plus the custom SearchParameter
 * resources stored in the database. App nodes hold no state of their own, so each node checks
 * the `search_param_state` setting (bumped in the same statement as every SearchParameter write
 * and when a reindex job finishes) at most once per `refreshMs`, and rebuilds its registry from
 * the stored SearchParameters when it changed. A holder object, not a global: the store reads
 * `current` for each operation, so a swap takes effect on the next one.
 */
import type { Resource } from '../fhir/types.js';
import { customParamsOf } from '../search/custom-search-parameters.js';
import type { CustomSearchParam, SearchRegistry } from '../search/registry.js';
import type { SqlClient } from './database.js';
import { SEARCH_PARAM_STATE } from './reindex-plan.js';

/** Options of a holder. */
export interface RegistryHolderOptions {
  /** How long a checked version is trusted; 0 checks on every `refresh()`. */
  refreshMs?: number;
  now?: () => number;
}

/** Holds a node's current registry and keeps it in step with the database. */
export class RegistryHolder {
  private registry: SearchRegistry;
  private version: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly now: () => number;

  /**
   * @param db where SearchParameters and the state live; `undefined` for a fixed registry
   *   (tools and tests that need no custom parameters).
   */
  constructor(private readonly db: SqlClient | undefined, base: SearchRegistry, opts: RegistryHolderOptions = {}) {
    this.registry = base.base;
    this.refreshMs = opts.refreshMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** The registry to use now. */
  get current(): SearchRegistry {
    return this.registry;
  }

  /**
   * Brings the registry up to date if the last check is older than `refreshMs` (or `force`):
   * one primary-key read when nothing changed.
   */
  async refresh(force = false): Promise<void> {
    if (!this.db) return;
    if (!force && this.now() - this.checkedAt < this.refreshMs) return;
    // Concurrent requests share one check.
    this.inFlight ??= this.check(this.db).finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
  }

  private async check(db: SqlClient): Promise<void> {
    const started = this.now();
    const version = (await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [SEARCH_PARAM_STATE])).rows[0]?.value ?? '0';
    if (version !== this.version) {
      this.registry = await loadRegistry(db, this.registry.base);
      this.version = version;
    }
    this.checkedAt = started;
  }
}

/** Builds the registry from the base definitions and the SearchParameters stored in `db`. */
export async function loadRegistry(db: SqlClient, base: SearchRegistry): Promise<SearchRegistry> {
  const stored = await db.query<{ content: string }>(
    `SELECT content FROM resources WHERE resource_type = 'SearchParameter' AND NOT is_deleted ORDER BY id`,
  );
  const indexing = new Set(
    (await db.query<{ base: string; code: string }>(`SELECT base, code FROM reindex_jobs WHERE status = 'pending' AND action = 'index'`)).rows
      .map((r) => `${r.base}|${r.code}`),
  );
  const custom: CustomSearchParam[] = [];
  const seen = new Set<string>();
  for (const row of stored.rows) {
    for (const p of customParamsOf(JSON.parse(row.content) as Resource as never, base)) {
      const key = `${p.base}|${p.code}`;
      // Validation refuses a second definition of a code; should two nodes race, the first id wins.
      if (seen.has(key)) continue;
      seen.add(key);
      custom.push(indexing.has(key) ? { ...p, isIndexing: true } : p);
    }
  }
  return base.withCustom(custom);
}
