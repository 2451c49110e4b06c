/**
 * Minimal structural types for FHIR R4 JSON. Resources are kept as plain JSON objects: the
 * store never needs a class per resource type, and validation is data-driven from the R4
 * StructureDefinitions (see `validation/`).
 *
 * @see https://hl7.org/fhir/R4/json.html
 */

/** Any JSON value as it appears in a FHIR resource. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** https://hl7.org/fhir/R4/resource.html#Meta */
export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  source?: string;
  profile?: string[];
  security?: Coding[];
  tag?: Coding[];
}

/** https://hl7.org/fhir/R4/datatypes.html#Coding */
export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
  userSelected?: boolean;
}

/** Any FHIR resource: a JSON object with a `resourceType`. */
export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [key: string]: unknown;
}

/** https://hl7.org/fhir/R4/operationoutcome.html */
export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  diagnostics?: string;
  details?: { text?: string; coding?: Coding[] };
  expression?: string[];
}

/** https://hl7.org/fhir/R4/operationoutcome.html */
export interface OperationOutcome extends Resource {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

/** https://hl7.org/fhir/R4/bundle.html */
export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  search?: { mode?: 'match' | 'include' | 'outcome'; score?: number };
  request?: { method: string; url: string; ifNoneMatch?: string; ifModifiedSince?: string; ifMatch?: string; ifNoneExist?: string };
  response?: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: Resource };
  link?: { relation: string; url: string }[];
}

/** https://hl7.org/fhir/R4/bundle.html */
export interface Bundle extends Resource {
  resourceType: 'Bundle';
  type: string;
  total?: number;
  timestamp?: string;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry[];
}

/** True when `value` is a non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
