/**
 * The R4 structural validator: checks any FHIR R4 resource, as parsed JSON, against the R4
 * (4.0.1) StructureDefinitions and their required bindings; and the `_summary=true` view of a
 * resource from the same definitions. Pure: its only input besides the resource is the
 * definition table shipped beside it.
 *
 * @see https://hl7.org/fhir/R4/validation.html
 * @see https://hl7.org/fhir/R4/search.html#summary
 */
export { validateResource } from './validate-resource.js';
export { isKnownResourceType, RESOURCE_TYPES } from './resource-types.js';
export { summarize } from './summary-elements.js';
