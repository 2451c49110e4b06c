/**
 * The shape shared by every code list the generator uses: a code with its display term and a
 * short plain-English description written for patients. Licensing of the codes and terms is
 * in this folder's README.
 */
import type { Coding } from '../../fhir/types.js';

/** SNOMED CT (international release concepts, Global Patient Set terms). */
export const SNOMED = 'http://snomed.info/sct';
/** NHS Dictionary of Medicines and Devices (dm+d), as UK Core codes medicines. */
export const DMD = 'https://dmd.nhs.uk';
/** LOINC, for laboratory tests and vital signs. */
export const LOINC = 'http://loinc.org';
/** UCUM, for units of measure. */
export const UCUM = 'http://unitsofmeasure.org';

/** One row of a code list. */
export interface CodeListEntry {
  readonly system: string;
  readonly code: string;
  /** The term shown with the code: the SNOMED CT international preferred term, the dm+d name or the LOINC long common name. */
  readonly display: string;
  /** One or two plain-English sentences for patients, written for this project (not copied from any source). */
  readonly description: string;
}

/** The FHIR Coding of an entry (system, code, display). */
export function codingOf(entry: CodeListEntry): Coding {
  return { system: entry.system, code: entry.code, display: entry.display };
}

/** A CodeableConcept with one coding and the display as its text. */
export function conceptOf(entry: CodeListEntry): { coding: Coding[]; text: string } {
  return { coding: [codingOf(entry)], text: entry.display };
}
