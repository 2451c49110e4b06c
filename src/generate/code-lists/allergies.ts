/**
 * Allergies and reactions in generated records, coded in SNOMED CT (international release
 * concepts with their Global Patient Set terms). The substance is the allergy's code, as UK
 * Core allows; "No known allergy" records a checked, empty list.
 */
import { SNOMED, type CodeListEntry } from './code-list.js';

/** A substance a person can be allergic to, with how such an allergy is usually recorded. */
export interface AllergenEntry extends CodeListEntry {
  readonly category: 'medication' | 'food' | 'environment' | 'biologic';
  readonly type: 'allergy' | 'intolerance';
  /** Reactions to choose from, by code in {@link REACTIONS}. */
  readonly reactions: readonly string[];
}

const sct = (code: string, display: string, description: string): CodeListEntry => ({ system: SNOMED, code, display, description });

/** Reactions (AllergyIntolerance.reaction.manifestation). */
export const REACTIONS: Readonly<Record<string, CodeListEntry>> = {
  '271807003': sct('271807003', 'Eruption of skin', 'Rash: a patch of red, itchy or bumpy skin.'),
  '126485001': sct('126485001', 'Urticaria', 'Hives: raised, itchy welts on the skin that come and go.'),
  '39579001': sct('39579001', 'Anaphylaxis', 'Anaphylaxis: a severe, life-threatening allergic reaction that needs emergency treatment with adrenaline.'),
  '422587007': sct('422587007', 'Nausea', 'Nausea: feeling sick, as if you might vomit.'),
  '62315008': sct('62315008', 'Diarrhea', 'Diarrhoea: loose, watery poo more often than usual.'),
};

/** Allergens. */
export const ALLERGENS: readonly AllergenEntry[] = [
  { ...sct('764146007', 'Penicillin', 'Penicillin allergy: your body reacts to penicillin antibiotics such as amoxicillin. Doctors and pharmacists will choose a different antibiotic.'),
    category: 'medication', type: 'allergy', reactions: ['271807003', '126485001', '39579001'] },
  { ...sct('387458008', 'Aspirin', 'Aspirin allergy: your body reacts to aspirin, and sometimes to similar painkillers such as ibuprofen.'),
    category: 'medication', type: 'allergy', reactions: ['126485001', '271807003'] },
  { ...sct('387494007', 'Codeine', 'Codeine intolerance: codeine, a painkiller, has made you feel unwell, for example sick, before.'),
    category: 'medication', type: 'intolerance', reactions: ['422587007', '62315008'] },
  { ...sct('111088007', 'Latex', 'Latex allergy: your skin or body reacts to natural rubber latex, found in some gloves and medical equipment.'),
    category: 'environment', type: 'allergy', reactions: ['126485001', '271807003'] },
];

/** Recorded when a clinician has asked and the person has no known allergies. */
export const NO_KNOWN_ALLERGY: CodeListEntry = sct('716186003', 'No known allergy',
  'No known allergies: you have been asked and you do not know of any allergies.');
