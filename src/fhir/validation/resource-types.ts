/**
 * The R4 resource type names, from the shipped StructureDefinition table.
 *
 * @see https://hl7.org/fhir/R4/resourcelist.html
 */
import definitions from './r4-structure.json' with { type: 'json' };

/**
 * Every concrete R4 (4.0.1) resource type, sorted: the 146 StructureDefinitions of kind
 * `resource` that are not abstract (so not `Resource` or `DomainResource`).
 *
 * @see https://hl7.org/fhir/R4/resourcelist.html
 */
export const RESOURCE_TYPES: readonly string[] = Object.freeze([...definitions.resourceTypes]);

const KNOWN = new Set(RESOURCE_TYPES);

/**
 * True when `type` is a concrete R4 resource type name, spelled exactly (case-sensitive), as
 * `resourceType` and the type part of a relative reference must be.
 *
 * @see https://hl7.org/fhir/R4/resourcelist.html
 * @see https://hl7.org/fhir/R4/references.html#literal
 */
export function isKnownResourceType(type: string): boolean {
  return KNOWN.has(type);
}
