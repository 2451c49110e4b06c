/**
 * A person's clinical story as plain data, before it is written as FHIR: what happened, when,
 * and who was involved. The emitters (`../emit/`) turn it into each source system's records.
 */
import type { AllergenEntry } from '../code-lists/allergies.js';
import type { CodeListEntry } from '../code-lists/code-list.js';
import type { LongTermConditionKey } from '../code-lists/conditions.js';
import type { VaccineKey } from '../code-lists/immunisations.js';
import type { MedicationKey } from '../code-lists/medications.js';
import type { ObservationKey, PanelKey } from '../code-lists/observations.js';
import type { Specialty } from '../reference-data/organisations.js';
import type { StaffMember } from '../reference-data/staff.js';

/** Vital signs taken at one encounter (each only when measured). */
export type Vitals = Partial<Record<'systolic' | 'diastolic' | 'heartRate' | 'respiratoryRate' | 'oxygenSaturation' | 'bodyTemperature' | 'bodyWeight' | 'bodyHeight' | 'bmi', number>>;

/** A long-term condition and when it started (and, for some, ended). */
export interface ConditionEvent {
  readonly key: LongTermConditionKey;
  readonly onset: Date;
  /** When it resolved or went into remission, if it has. */
  readonly abatement?: Date;
  readonly recorder: StaffMember;
}

/** A medicine prescribed from `start`, still taken unless it has an `end`. */
export interface MedicationCourse {
  readonly key: MedicationKey;
  readonly start: Date;
  readonly end?: Date;
  /** `active` for current repeats; `completed` for finished acute courses; `stopped` for repeats stopped early. */
  readonly status: 'active' | 'completed' | 'stopped';
  /** The long-term condition it treats, if any. */
  readonly reason?: LongTermConditionKey;
  readonly prescriber: StaffMember;
  /** Why it was stopped, for `stopped`. */
  readonly stopReason?: string;
}

/** An allergy record, or a record of "no known allergy" when `allergen` is absent. */
export interface AllergyRecord {
  readonly allergen?: AllergenEntry;
  readonly reaction?: CodeListEntry;
  readonly severity?: 'mild' | 'moderate' | 'severe';
  readonly recorded: Date;
  readonly recorder: StaffMember;
}

/** A vaccination. */
export interface ImmunisationEvent {
  readonly vaccine: VaccineKey;
  readonly date: Date;
  readonly doseNumber: number;
  readonly site: CodeListEntry;
  readonly lotNumber: string;
  readonly performer: StaffMember;
}

/** A GP consultation. */
export interface Consultation {
  readonly date: Date;
  readonly mode: 'face-to-face' | 'telephone';
  readonly clinician: StaffMember;
  /** The problem or the condition reviewed (`Encounter.reasonCode`). */
  readonly reason: CodeListEntry;
  /** Set for a long-term condition review. */
  readonly reviewOf?: LongTermConditionKey;
  readonly vitals?: Vitals;
  /** The clinician's note. */
  readonly note: string;
  /** A medicine prescribed at this consultation (also listed in the story's medications). */
  readonly prescription?: MedicationCourse;
}

/** A set of blood tests taken on one day and reported by the person's laboratory. */
export interface LabEvent {
  readonly date: Date;
  readonly panels: readonly PanelKey[];
  readonly values: Readonly<Partial<Record<ObservationKey, number>>>;
  readonly requestedBy: 'gp' | 'hospital';
}

/** A hospital admission (IMP) or outpatient attendance (AMB). */
export interface HospitalEpisode {
  readonly encounterClass: 'IMP' | 'AMB';
  readonly start: Date;
  readonly end: Date;
  readonly reason: CodeListEntry;
  readonly specialty: Specialty;
  readonly consultant: StaffMember;
  readonly vitals?: Vitals;
  /** The discharge summary or clinic letter (the hospital keeps it; a copy goes to the GP). */
  readonly letter: { readonly type: CodeListEntry; readonly title: string; readonly text: string };
}

/** Everything that happened to a person, oldest first within each list. */
export interface ClinicalStory {
  readonly conditions: readonly ConditionEvent[];
  readonly medications: readonly MedicationCourse[];
  readonly allergies: readonly AllergyRecord[];
  readonly immunisations: readonly ImmunisationEvent[];
  readonly consultations: readonly Consultation[];
  readonly labEvents: readonly LabEvent[];
  readonly hospitalEpisodes: readonly HospitalEpisode[];
}
