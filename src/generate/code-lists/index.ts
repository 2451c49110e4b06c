/**
 * Every code the population generator writes, as small tables: code, display term and a
 * plain-English description for patients. The licensing position is in README.md beside this
 * file; only codes whose terms may be redistributed there are listed.
 */
import { ALLERGENS, NO_KNOWN_ALLERGY, REACTIONS } from './allergies.js';
import type { CodeListEntry } from './code-list.js';
import { ACUTE_PROBLEMS, ADMISSION_REASONS, LONG_TERM_CONDITIONS } from './conditions.js';
import { DOCUMENT_TYPES, ENCOUNTER_TYPES } from './encounters.js';
import { INJECTION_SITES, INTRAMUSCULAR, VACCINES } from './immunisations.js';
import { MEDICATIONS } from './medications.js';
import { OBSERVATIONS, PANELS } from './observations.js';

export * from './code-list.js';
export * from './allergies.js';
export * from './conditions.js';
export * from './encounters.js';
export * from './immunisations.js';
export * from './medications.js';
export * from './observations.js';

/** One code list: a name, what it is for, and its rows. */
export interface CodeListTable {
  readonly name: string;
  readonly title: string;
  readonly entries: readonly CodeListEntry[];
}

/** Only the four shared columns, so a table can be shown or exported as it is. */
function rows(entries: readonly CodeListEntry[]): CodeListEntry[] {
  const seen = new Set<string>();
  const out: CodeListEntry[] = [];
  for (const e of entries) {
    const key = `${e.system}|${e.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ system: e.system, code: e.code, display: e.display, description: e.description });
  }
  return out;
}

/** All code lists used by the generator. */
export const CODE_LISTS: readonly CodeListTable[] = [
  { name: 'long-term-conditions', title: 'Long-term conditions (SNOMED CT)', entries: rows(Object.values(LONG_TERM_CONDITIONS)) },
  { name: 'acute-problems', title: 'Short illnesses seen in general practice (SNOMED CT)', entries: rows(ACUTE_PROBLEMS) },
  { name: 'admission-reasons', title: 'Reasons for hospital admission (SNOMED CT)', entries: rows(ADMISSION_REASONS) },
  { name: 'medications', title: 'Medicines (dm+d VMPs)', entries: rows(Object.values(MEDICATIONS)) },
  { name: 'allergens', title: 'Allergies (SNOMED CT substances)', entries: rows([...ALLERGENS, NO_KNOWN_ALLERGY]) },
  { name: 'allergy-reactions', title: 'Allergic reactions (SNOMED CT)', entries: rows(Object.values(REACTIONS)) },
  { name: 'vaccines', title: 'Vaccines (dm+d)', entries: rows(Object.values(VACCINES)) },
  { name: 'vaccine-target-diseases', title: 'Diseases vaccines protect against (SNOMED CT)', entries: rows(Object.values(VACCINES).map((v) => v.targetDisease)) },
  { name: 'vaccination-details', title: 'Vaccination route and site (SNOMED CT)', entries: rows([INTRAMUSCULAR, ...INJECTION_SITES]) },
  { name: 'observations', title: 'Tests and measurements (LOINC)', entries: rows(Object.values(OBSERVATIONS)) },
  { name: 'lab-panels', title: 'Laboratory panels (LOINC)', entries: rows(Object.values(PANELS)) },
  { name: 'encounter-types', title: 'Kinds of appointment (SNOMED CT)', entries: rows(Object.values(ENCOUNTER_TYPES)) },
  { name: 'document-types', title: 'Kinds of clinical document (SNOMED CT)', entries: rows(Object.values(DOCUMENT_TYPES)) },
];
