/**
 * Resolves the codes of a ValueSet held in the store, for `:in` and `:not-in`.
 * Uses the stored expansion when there is one, else the compose (enumerated concepts, whole code
 * systems, and included value sets); filters cannot be evaluated without a terminology server,
 * so such a value set answers 400 rather than a silently wrong result.
 *
 * @see https://hl7.org/fhir/R4/search.html#modifiers
 * @see https://hl7.org/fhir/R4/valueset.html
 */
import { badRequest } from '../fhir/outcome.js';
import type { SqlClient } from './database.js';

/** A code (or a whole system when `code` is absent). */
export interface SystemCode {
  system?: string;
  code?: string;
}

interface ValueSetJson {
  url?: string;
  expansion?: { contains?: Contains[] };
  compose?: { include?: Include[]; exclude?: Include[] };
}
interface Contains { system?: string; code?: string; contains?: Contains[] }
interface Include { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }

async function load(db: SqlClient, ref: string): Promise<ValueSetJson | undefined> {
  const local = /^ValueSet\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
  const res = local
    ? await db.query<{ content: string }>(`SELECT content FROM resources WHERE resource_type = 'ValueSet' AND id = $1 AND NOT is_deleted`, [local[1]])
    : await db.query<{ content: string }>(
        `SELECT r.content FROM resources r WHERE r.resource_type = 'ValueSet' AND NOT r.is_deleted AND r.id IN
         (SELECT u.id FROM search_uri u WHERE u.resource_type = 'ValueSet' AND u.param = 'url' AND u.value = $1) LIMIT 1`,
        [ref.split('|')[0]],
      );
  return res.rows[0] ? (JSON.parse(res.rows[0].content) as ValueSetJson) : undefined;
}

/** The codes of the value set `ref` (canonical URL or `ValueSet/id`); `expression` names the parameter. */
export async function valueSetCodes(db: SqlClient, ref: string, expression: string, depth = 0): Promise<SystemCode[]> {
  if (depth > 5) throw badRequest(`ValueSet ${ref} includes value sets too deeply`, expression);
  const vs = await load(db, ref);
  if (!vs) throw badRequest(`ValueSet ${ref} is not held by this server`, expression);
  if (vs.expansion?.contains) {
    const out: SystemCode[] = [];
    const walk = (cs: Contains[]) => {
      for (const c of cs) {
        if (c.code) out.push({ ...(c.system ? { system: c.system } : {}), code: c.code });
        if (c.contains) walk(c.contains);
      }
    };
    walk(vs.expansion.contains);
    return out;
  }
  const collect = async (items: Include[] = []): Promise<SystemCode[]> => {
    const out: SystemCode[] = [];
    for (const inc of items) {
      if (inc.filter && inc.filter.length > 0) throw badRequest(`ValueSet ${ref} uses filters, which this server cannot expand; store an expansion`, expression);
      for (const nested of inc.valueSet ?? []) out.push(...(await valueSetCodes(db, nested, expression, depth + 1)));
      if (inc.concept) for (const c of inc.concept) out.push({ ...(inc.system ? { system: inc.system } : {}), code: c.code });
      else if (inc.system && !inc.valueSet) out.push({ system: inc.system });
    }
    return out;
  };
  const included = await collect(vs.compose?.include);
  const excluded = await collect(vs.compose?.exclude);
  const key = (c: SystemCode) => `${c.system ?? ''}|${c.code ?? ''}`;
  const drop = new Set(excluded.map(key));
  return included.filter((c) => !drop.has(key(c)));
}
