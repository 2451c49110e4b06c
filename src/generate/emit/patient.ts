/**
 * A source system's own Patient record: its local identifier first, the NHS number (with
 * UK Core's verification status) when the source holds one, and the demographics as that
 * source recorded them.
 *
 * @see https://hl7.org/fhir/R4/patient.html
 * @see https://github.com/NHSDigital/FHIR-R4-UKCORE-STAGING-MAIN (UKCore-Patient, Extension-UKCore-NHSNumberVerificationStatus)
 */
import { NHS_NUMBER_SYSTEM } from '../../fhir/nhs-number.js';
import { isoDate } from '../dates.js';
import type { SourceDemographics } from '../perturb.js';
import type { Practice } from '../reference-data/organisations.js';
import { organisationRef } from './references.js';

const VERIFICATION_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
const VERIFICATION_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';
const VERIFICATION: Readonly<Record<'01' | '02', string>> = { '01': 'Number present and verified', '02': 'Number present but not traced' };

/** The NHS number identifier, with its verification status. */
export function nhsNumberIdentifier(nhsNumber: string, status: '01' | '02'): Record<string, unknown> {
  return {
    extension: [{
      url: VERIFICATION_EXTENSION,
      valueCodeableConcept: { coding: [{ system: VERIFICATION_SYSTEM, code: status, display: VERIFICATION[status] }] },
    }],
    system: NHS_NUMBER_SYSTEM,
    value: nhsNumber,
  };
}

/** The body of a Patient (without meta or the local identifier) and its other identifiers. */
export function patientBody(demographics: SourceDemographics, sex: 'male' | 'female', practice: Practice, verification: '01' | '02'): {
  body: Record<string, unknown>;
  otherIdentifiers: Record<string, unknown>[];
} {
  const name: Record<string, unknown> = { use: 'official', family: demographics.family, given: [...demographics.given] };
  if (demographics.prefix !== undefined) name['prefix'] = [demographics.prefix];
  const a = demographics.address;
  const body: Record<string, unknown> = {
    active: true,
    name: [name],
    ...(demographics.phone !== undefined
      ? { telecom: [{ system: 'phone', value: demographics.phone, use: demographics.phone.startsWith('07') ? 'mobile' : 'home' }] }
      : {}),
    gender: sex,
    birthDate: demographics.birthDate,
    address: [{ use: 'home', line: [...a.lines], city: a.city, postalCode: a.postalCode, country: 'GB', period: { start: isoDate(a.since) } }],
    generalPractitioner: [organisationRef(practice.odsCode, practice.name)],
  };
  return { body, otherIdentifiers: demographics.nhsNumber !== undefined ? [nhsNumberIdentifier(demographics.nhsNumber, verification)] : [] };
}
