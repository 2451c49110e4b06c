/**
 * Resolves many `identifier=system|value` conditions in one query. Transaction bundles from
 * source systems are full of them (conditional creates and updates keyed on the source's own
 * identifiers, and conditional references), and answering each with its own search would cost
 * a query per entry. The semantics are exactly those of the search `Type?identifier=system|value`.
 *
 * @see https://hl7.org/fhir/R4/http.html#cond-update
 */
import type { SqlClient } from './database.js';
import { splitEscaped, unescape } from '../search/parse-search.js';

/** A condition that this fast path can answer. */
export interface IdentifierCondition {
  type: string;
  system: string;
  value: string;
}

/** Parses `identifier=system|value` (nothing else) into a condition, or undefined. */
export function identifierCondition(type: string, query: string): IdentifierCondition | undefined {
  const params = [...new URLSearchParams(query)];
  if (params.length !== 1 || params[0]![0] !== 'identifier') return undefined;
  const raw = params[0]![1];
  if (splitEscaped(raw, ',').length !== 1) return undefined;
  const parts = splitEscaped(raw, '|');
  if (parts.length !== 2) return undefined;
  const [system = '', value = ''] = parts.map(unescape);
  if (!system || !value) return undefined;
  return { type, system, value };
}

/** The key of a condition in the result map. */
export function conditionKey(c: IdentifierCondition): string {
  return `${c.type}\u0000${c.system}\u0000${c.value}`;
}

/** Current (not deleted) resource ids matching each condition. */
export async function lookupIdentifiers(db: SqlClient, conditions: IdentifierCondition[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (conditions.length === 0) return out;
  for (const c of conditions) out.set(conditionKey(c), []);
  const res = await db.query<{ resource_type: string; id: string; system: string; code: string }>(
    `SELECT DISTINCT t.resource_type, t.id, t.system, t.code FROM search_token t
       JOIN resources r ON r.resource_type = t.resource_type AND r.id = t.id AND NOT r.is_deleted
      WHERE t.param = 'identifier'
        AND (t.resource_type, t.system, t.code) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
    [conditions.map((c) => c.type), conditions.map((c) => c.system), conditions.map((c) => c.value)],
  );
  for (const row of res.rows) {
    const list = out.get(conditionKey({ type: row.resource_type, system: row.system, value: row.code }));
    if (list && !list.includes(row.id)) list.push(row.id);
  }
  return out;
}
