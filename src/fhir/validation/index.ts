/**
 * The R4 structural validator: checks any FHIR R4 resource, as parsed JSON, against the R4
 * (4.0.1) StructureDefinitions. Pure: its only input besides the resource is the definition
 * table shipped beside it.
 *
 * @see https://hl7.org/fhir/R4/validation.html
 */
export { validateResource } from './validate-resource.js';
export { isKnownResourceType, RESOURCE_TYPES } from './resource-types.js';
