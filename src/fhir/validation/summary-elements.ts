/**
 * The `_summary=true` view of a resource: only the elements the base definitions mark
 * `isSummary`, at every level.
 *
 * @see https://hl7.org/fhir/R4/search.html#summary
 * @see https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.isSummary
 */
import { isObject } from '../types.js';
import { resourceStructure, type Structure } from './definitions.js';

/** Kept on every resource whatever the definitions say: what identifies and versions it. */
const MANDATORY = new Set(['resourceType', 'id', 'meta']);

/**
 * Returns a new resource holding only the summary elements of `resource`
 * (https://hl7.org/fhir/R4/search.html#summary): those marked `isSummary` in the R4 base
 * definitions, and always `resourceType`, `id` and `meta`. Complex datatypes and backbone
 * elements are summarized the same way (a HumanName keeps `family` but an Attachment drops
 * `data`); an element left with no summary children is dropped. A kept primitive keeps its
 * `_name` sibling (its id and extensions); a kept Extension (`modifierExtension` of a backbone
 * element, the only summary one) is kept whole, as a modifier cannot be shown in part. Nested
 * resources in summary elements (`Bundle.entry.resource`) are summarized as resources of their
 * own type. Unknown elements are dropped; an unknown `resourceType` keeps only the mandatory ones.
 *
 * Adds nothing: the caller marks the result with the `SUBSETTED` tag, as the same section asks.
 * The result shares no object or array with `resource`, so the caller may add the tag to its
 * `meta` without touching the original.
 */
export function summarize(resource: Record<string, unknown>): Record<string, unknown> {
  const type = resource['resourceType'];
  const structure = typeof type === 'string' ? resourceStructure(type) : undefined;
  if (structure === undefined) {
    const out: Record<string, unknown> = {};
    for (const key of MANDATORY) if (resource[key] !== undefined) out[key] = structuredClone(resource[key]);
    return out;
  }
  return summarizeObject(resource, structure, true);
}

function summarizeObject(object: Record<string, unknown>, structure: Structure, isResource: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in object) {
    const value = object[key];
    if (value === undefined) continue;
    const element = structure.elements.get(key);
    if (element === undefined) continue;
    if (!element.isSummary && !(isResource && MANDATORY.has(key))) continue;
    if (element.kind === 'complex' && element.type !== 'Extension' && !(isResource && key === 'meta')) {
      const kept = mapItems(value, (item) => summarizeObject(item, element.structure!, false));
      if (kept !== undefined) out[key] = kept;
    } else if (element.kind === 'resource') {
      const kept = mapItems(value, summarize);
      if (kept !== undefined) out[key] = kept;
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

/** Applies `summary` to an object or to each object of an array; drops what comes back empty. */
function mapItems(value: unknown, summary: (item: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (!Array.isArray(value)) {
    if (!isObject(value)) return undefined;
    const kept = summary(value);
    return Object.keys(kept).length === 0 ? undefined : kept;
  }
  const kept: Record<string, unknown>[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const summarized = summary(item);
    if (Object.keys(summarized).length > 0) kept.push(summarized);
  }
  return kept.length === 0 ? undefined : kept;
}
