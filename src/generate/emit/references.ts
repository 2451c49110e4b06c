/**
 * References from source records to the shared organisations and clinicians, written as
 * conditional references on their national identifiers, which the server resolves when the
 * transaction is processed (the shared bundle must be loaded first).
 *
 * @see https://hl7.org/fhir/R4/http.html#trules (conditional references)
 */
import type { StaffMember } from '../reference-data/staff.js';
import { identifierQuery } from './bundle-writer.js';

/** ODS organisation code (practices and trusts). */
export const ODS_ORGANIZATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** ODS site code (laboratories within a trust). */
export const ODS_SITE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-site-code';
/** Spine directory user ID. */
export const SDS_USER_SYSTEM = 'https://fhir.nhs.uk/Id/sds-user-id';
/** General Medical Council number. */
export const GMC_SYSTEM = 'https://fhir.hl7.org.uk/Id/gmc-number';

/** A FHIR Reference with a display. */
export interface Ref {
  reference: string;
  display?: string;
}

/** A conditional reference to an organisation by ODS organisation code. */
export function organisationRef(odsCode: string, display: string): Ref {
  return { reference: identifierQuery('Organization', { system: ODS_ORGANIZATION_SYSTEM, value: odsCode }), display };
}

/** A conditional reference to a laboratory by ODS site code. */
export function siteRef(siteCode: string, display: string): Ref {
  return { reference: identifierQuery('Organization', { system: ODS_SITE_SYSTEM, value: siteCode }), display };
}

/** A conditional reference to a clinician by SDS user ID. */
export function practitionerRef(staff: StaffMember): Ref {
  return { reference: identifierQuery('Practitioner', { system: SDS_USER_SYSTEM, value: staff.sdsUserId }), display: `${staff.prefix} ${staff.given} ${staff.family}` };
}

/** A reference to an entry in the same bundle. */
export function localRef(fullUrl: string, display?: string): Ref {
  return display === undefined ? { reference: fullUrl } : { reference: fullUrl, display };
}
