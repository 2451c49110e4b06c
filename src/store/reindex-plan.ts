/**
 * What a SearchParameter write asks of the reindexer, written in the same statement as the
 * write itself (so a crash can never leave a stored definition without its job): one job per
 * base type whose parameter appeared, changed or went away, older pending jobs for the same
 * parameter superseded, and the `search_param_state` setting bumped so every node rebuilds its
 * registry (`search-param-registry.ts`). The worker is `reindex.ts`.
 */

/** The setting every node polls to learn that the custom search parameters changed. */
export const SEARCH_PARAM_STATE = 'search_param_state';

/** Bumps {@link SEARCH_PARAM_STATE}; one statement, usable as a CTE. */
export const BUMP_STATE_SQL = `INSERT INTO settings (key, value) VALUES ('${SEARCH_PARAM_STATE}', '1')
  ON CONFLICT (key) DO UPDATE SET value = (settings.value::bigint + 1)::text, updated_at = now()`;

/** One reindex job to create. */
export interface PlannedJob {
  base: string;
  code: string;
  action: 'index' | 'remove';
  /** The SearchParameter JSON to index with (`index` only). */
  definition: string | null;
}

/** The fields of a parameter that decide its index rows. */
interface Defined {
  base: string;
  code: string;
  key: string;
}

/** A SearchParameter write, with the version it replaces. */
export interface SearchParameterWrite {
  /** The new JSON; '' when deleted. */
  json: string;
  deleted: boolean;
  /** The replaced version's JSON (undefined for a create). */
  previousJson?: string | undefined;
}

/** The (base, code) pairs an active SearchParameter defines, with what decides its rows. */
function defined(json: string | undefined): Defined[] {
  if (!json) return [];
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (r.status !== 'active' || typeof r.code !== 'string' || !Array.isArray(r.base)) return [];
  const key = JSON.stringify([r.type, r.expression, r.target ?? null]);
  return r.base.filter((b): b is string => typeof b === 'string').map((base) => ({ base, code: r.code as string, key }));
}

/** The jobs one SearchParameter write needs (none when nothing that decides index rows changed). */
export function planReindexJobs(write: SearchParameterWrite): PlannedJob[] {
  const before = defined(write.previousJson);
  const after = write.deleted ? [] : defined(write.json);
  const jobs: PlannedJob[] = [];
  for (const b of before) {
    if (!after.some((a) => a.base === b.base && a.code === b.code)) jobs.push({ base: b.base, code: b.code, action: 'remove', definition: null });
  }
  for (const a of after) {
    const same = before.some((b) => b.base === a.base && b.code === a.code && b.key === a.key);
    if (!same) jobs.push({ base: a.base, code: a.code, action: 'index', definition: write.json });
  }
  return jobs;
}

/** What {@link addReindexWork} needs of the write statement being built. */
export interface CteBuilder {
  array(values: unknown[], type: 'text'): string;
  cte(sql: string): void;
}

/**
 * Adds the reindex jobs and the state bump for `writes` to the write's statement. A pending job
 * for the same parameter is superseded (the new one starts again from the first resource).
 */
export function addReindexWork(b: CteBuilder, writes: readonly SearchParameterWrite[], startDelayMs: number): void {
  if (writes.length === 0) return;
  b.cte(BUMP_STATE_SQL);
  const jobs = writes.flatMap(planReindexJobs);
  if (jobs.length === 0) return;
  const bases = b.array(jobs.map((j) => j.base), 'text');
  const codes = b.array(jobs.map((j) => j.code), 'text');
  // Both CTEs see the same snapshot, so the UPDATE never touches the rows the INSERT adds.
  b.cte(`UPDATE reindex_jobs SET status = 'superseded', updated_at = now()
    WHERE status = 'pending' AND (base, code) IN (SELECT * FROM unnest(${bases}, ${codes}))`);
  const delay = b.array([`${Math.max(0, Math.round(startDelayMs))} milliseconds`], 'text');
  b.cte(`INSERT INTO reindex_jobs (base, code, action, definition, not_before)
    SELECT j.base, j.code, j.action, j.definition, now() + (${delay})[1]::interval
    FROM unnest(${bases}, ${codes}, ${b.array(jobs.map((j) => j.action), 'text')}, ${b.array(jobs.map((j) => j.definition), 'text')}) AS j(base, code, action, definition)`);
}
