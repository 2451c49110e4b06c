/**
 * Test builders for matching: a UK Core-shaped Patient from a few demographics.
 */
import { NHS_NUMBER_SYSTEM } from '../fhir/nhs-number.js';
import type { Resource } from '../fhir/types.js';
import { NHS_NUMBER_VERIFICATION_EXTENSION } from './demographics.js';

/** Demographics for {@link patient}; everything is optional. */
export interface PatientSpec {
  id?: string;
  nhs?: string;
  /** Verification status of the NHS number (`01` verified, `02` not traced …); none when absent. */
  status?: string;
  family?: string;
  given?: string[];
  birthDate?: string;
  gender?: string;
  postcode?: string;
}

/** A Patient resource carrying `spec`. */
export function patient(spec: PatientSpec): Resource {
  const r: Resource = { resourceType: 'Patient' };
  if (spec.id !== undefined) r.id = spec.id;
  if (spec.nhs !== undefined) {
    r['identifier'] = [{
      ...(spec.status !== undefined
        ? { extension: [{ url: NHS_NUMBER_VERIFICATION_EXTENSION, valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: spec.status }] } }] }
        : {}),
      system: NHS_NUMBER_SYSTEM,
      value: spec.nhs,
    }];
  }
  if (spec.family !== undefined || spec.given !== undefined) {
    r['name'] = [{ use: 'official', ...(spec.family !== undefined ? { family: spec.family } : {}), ...(spec.given !== undefined ? { given: spec.given } : {}) }];
  }
  if (spec.birthDate !== undefined) r['birthDate'] = spec.birthDate;
  if (spec.gender !== undefined) r['gender'] = spec.gender;
  if (spec.postcode !== undefined) r['address'] = [{ use: 'home', line: ['1 Church Lane'], city: 'LEEDS', postalCode: spec.postcode }];
  return r;
}

/** Ann Jane Smith, born 12 March 1980, LS6 2AB, NHS number 943 476 5919 verified. */
export const ANN: PatientSpec = {
  nhs: '9434765919', status: '01', family: 'Smith', given: ['Ann', 'Jane'], birthDate: '1980-03-12', gender: 'female', postcode: 'LS6 2AB',
};
