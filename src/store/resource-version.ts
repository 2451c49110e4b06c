/**
 * What the store hands back for one version of a resource.
 * @see https://hl7.org/fhir/R4/resource.html#Meta
 */

/** One stored version. `json` is the resource text exactly as served ('' for a deletion). */
export interface ResourceVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  json: string;
  /** The interaction that made this version (history entries). */
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The record (Patient id) it belongs to, when known: for audit. */
  patientId?: string | null;
}

/** The weak ETag for a version: `W/"3"`. https://hl7.org/fhir/R4/http.html#versioning */
export function etagOf(v: { versionId: number }): string {
  return `W/"${v.versionId}"`;
}

/** Parses `W/"3"` or `"3"` or `3` into a version number, or undefined. */
export function parseEtag(value: string): number | undefined {
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}
