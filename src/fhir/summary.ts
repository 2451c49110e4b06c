/**
 * `_summary` and `_elements`: return only part of a resource, marked SUBSETTED.
 * @see https://hl7.org/fhir/R4/search.html#summary
 * @see https://hl7.org/fhir/R4/search.html#elements
 */
import type { Resource } from './types.js';
import { summarize } from './validation/index.js';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
const ALWAYS = new Set(['resourceType', 'id', 'meta']);

function markSubsetted(r: Resource): Resource {
  const meta = { ...(r.meta ?? {}) };
  meta.tag = [...(meta.tag ?? []).filter((t) => t.code !== 'SUBSETTED'), SUBSETTED];
  return { ...r, meta };
}

/** Keeps only the named top-level elements (plus the mandatory ones). */
export function selectElements(r: Resource, elements: readonly string[]): Resource {
  const keep = new Set([...ALWAYS, ...elements.map((e) => e.replace(/^[A-Z][A-Za-z]+\./, '').split('.')[0]!)]);
  const out: Resource = { resourceType: r.resourceType };
  for (const [k, v] of Object.entries(r)) {
    const base = k.replace(/^_/, '');
    if (keep.has(k) || keep.has(base) || [...keep].some((e) => k.startsWith(e) && /^[A-Z]/.test(k.slice(e.length)))) out[k] = v;
  }
  return markSubsetted(out);
}

/**
 * Applies `_summary`: `true` keeps the elements the R4 definitions mark isSummary; `text` keeps
 * the narrative and mandatory elements; `data` drops the narrative.
 */
export function applySummary(r: Resource, mode: 'true' | 'text' | 'data' | 'false'): Resource {
  if (mode === 'false') return r;
  if (mode === 'text') {
    const out: Resource = { resourceType: r.resourceType };
    for (const k of ['id', 'meta', 'text']) if (r[k] !== undefined) out[k] = r[k];
    return markSubsetted(out);
  }
  if (mode === 'data') {
    const { text: _text, ...rest } = r;
    return markSubsetted(rest as Resource);
  }
  return markSubsetted(summarize(r) as Resource);
}
