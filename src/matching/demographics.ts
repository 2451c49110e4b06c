/**
 * The parts of a Patient that record matching compares, read once and normalised: NHS
 * numbers with their verification status, every name, birth date, sex and every postcode.
 * Names and addresses marked `old` or with an ended period are kept: a previous surname or
 * address is exactly what another system may still hold.
 *
 * @see https://hl7.org/fhir/R4/patient.html
 * @see https://simplifier.net/hl7fhirukcorer4/extension-ukcore-nhsnumberverificationstatus
 */
import { NHS_NUMBER_SYSTEM, isValidNhsNumber } from '../fhir/nhs-number.js';
import { isObject, type Resource } from '../fhir/types.js';
import { isPseudoPostcode, nameKey, nameTokens, normalisePostcode, type Postcode } from './normalise.js';

/** UK Core: how far an NHS number has been checked against the national register (PDS). */
export const NHS_NUMBER_VERIFICATION_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
/** The CareConnect (STU3-era) extension that older UK systems still send. */
export const CARECONNECT_NHS_NUMBER_VERIFICATION_EXTENSION = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-NHSNumberVerificationStatus-1';
/** Verification status code 01, "Number present and verified". */
export const NHS_NUMBER_VERIFIED = '01';

/** An NHS number found on the record. */
export interface NhsNumberEvidence {
  /** Ten digits. */
  readonly value: string;
  /** True when its verification status is `01` (traced and verified against PDS). */
  readonly verified: boolean;
}

/** A birth date to the precision recorded. */
export interface BirthDate {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
}

/** One name of the patient. */
export interface PersonName {
  /** Family name as one key (`dasilva`), or '' when absent. */
  readonly family: string;
  /** Words of the family name (`['da', 'silva']`). */
  readonly familyTokens: readonly string[];
  /** Given names as words, first name first. */
  readonly given: readonly string[];
}

/** What matching compares. */
export interface Demographics {
  /** Valid NHS numbers (Modulus 11), normalised to ten digits. */
  readonly nhsNumbers: readonly NhsNumberEvidence[];
  /** NHS number identifiers that were present but not valid: ignored for matching. */
  readonly invalidNhsNumbers: number;
  readonly names: readonly PersonName[];
  readonly birthDate?: BirthDate;
  /** Only `male` and `female` are compared; `other` and `unknown` count as not recorded. */
  readonly gender?: 'male' | 'female';
  /** UK postcodes of every address, NHS pseudo-postcodes (ZZ99) left out. */
  readonly postcodes: readonly Postcode[];
}

function codesOf(extension: unknown): string[] {
  if (!isObject(extension)) return [];
  const cc = extension['valueCodeableConcept'];
  if (!isObject(cc) || !Array.isArray(cc['coding'])) return [];
  return cc['coding'].flatMap((c: unknown) => (isObject(c) && typeof c['code'] === 'string' ? [c['code']] : []));
}

/** True when `extensions` hold a verification status of 01. */
function isVerified(extensions: unknown): boolean {
  if (!Array.isArray(extensions)) return false;
  return extensions.some((e: unknown) =>
    isObject(e)
    && (e['url'] === NHS_NUMBER_VERIFICATION_EXTENSION || e['url'] === CARECONNECT_NHS_NUMBER_VERIFICATION_EXTENSION)
    && codesOf(e).includes(NHS_NUMBER_VERIFIED));
}

function birthDateOf(value: unknown): BirthDate | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] !== undefined ? Number(m[2]) : undefined;
  const day = m[3] !== undefined ? Number(m[3]) : undefined;
  return { year, ...(month !== undefined ? { month } : {}), ...(day !== undefined ? { day } : {}) };
}

function namesOf(value: unknown): PersonName[] {
  if (!Array.isArray(value)) return [];
  const out: PersonName[] = [];
  for (const n of value) {
    if (!isObject(n) || n['use'] === 'anonymous') continue;
    let family = typeof n['family'] === 'string' ? n['family'] : '';
    let given = Array.isArray(n['given']) ? n['given'].filter((g): g is string => typeof g === 'string').flatMap(nameTokens) : [];
    if (family === '' && given.length === 0 && typeof n['text'] === 'string') {
      // Only text: take the last word as the family name, as a person would read it.
      const words = nameTokens(n['text']);
      family = words.pop() ?? '';
      given = words;
    }
    const familyTokens = nameTokens(family);
    if (familyTokens.length === 0 && given.length === 0) continue;
    out.push({ family: nameKey(family), familyTokens, given });
  }
  return out;
}

function postcodesOf(value: unknown): Postcode[] {
  if (!Array.isArray(value)) return [];
  const out: Postcode[] = [];
  for (const a of value) {
    if (!isObject(a) || typeof a['postalCode'] !== 'string') continue;
    const p = normalisePostcode(a['postalCode']);
    if (p && !isPseudoPostcode(p) && !out.some((q) => q.full === p.full)) out.push(p);
  }
  return out;
}

/**
 * Reads the demographics of `patient`. The NHS number's verification status is taken from the
 * UK Core (or CareConnect) extension on its identifier, where UK Core puts it, or on the
 * Patient itself, where some systems do.
 */
export function demographicsOf(patient: Resource): Demographics {
  const nhsNumbers: NhsNumberEvidence[] = [];
  let invalidNhsNumbers = 0;
  const patientVerified = isVerified(patient['extension']);
  if (Array.isArray(patient['identifier'])) {
    for (const id of patient['identifier']) {
      if (!isObject(id) || id['system'] !== NHS_NUMBER_SYSTEM) continue;
      const raw = typeof id['value'] === 'string' ? id['value'] : '';
      if (!isValidNhsNumber(raw)) {
        invalidNhsNumbers++;
        continue;
      }
      const value = raw.replace(/[\s-]/g, '');
      const verified = patientVerified || isVerified(id['extension']);
      const seen = nhsNumbers.findIndex((n) => n.value === value);
      if (seen < 0) nhsNumbers.push({ value, verified });
      else if (verified) nhsNumbers[seen] = { value, verified };
    }
  }
  const birthDate = birthDateOf(patient['birthDate']);
  const gender = patient['gender'] === 'male' || patient['gender'] === 'female' ? patient['gender'] : undefined;
  return {
    nhsNumbers,
    invalidNhsNumbers,
    names: namesOf(patient['name']),
    ...(birthDate !== undefined ? { birthDate } : {}),
    ...(gender !== undefined ? { gender } : {}),
    postcodes: postcodesOf(patient['address']),
  };
}
