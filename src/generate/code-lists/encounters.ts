/**
 * SNOMED CT concepts for kinds of encounter and kinds of clinical document in generated
 * records (international release concepts with their Global Patient Set terms).
 */
import { SNOMED, type CodeListEntry } from './code-list.js';

const sct = (code: string, display: string, description: string): CodeListEntry => ({ system: SNOMED, code, display, description });

/** Encounter.type values. */
export const ENCOUNTER_TYPES = {
  consultation: sct('11429006', 'Consultation', 'Appointment: a face-to-face appointment with a doctor, nurse or other health professional.'),
  telephone: sct('185317003', 'Telephone encounter', 'Phone appointment: an appointment held over the telephone.'),
  admission: sct('32485007', 'Hospital admission', 'Hospital stay: you were admitted to hospital as an inpatient.'),
  followUp: sct('185389009', 'Follow-up visit', 'Follow-up appointment: an appointment to check how you are getting on after earlier care, such as a hospital clinic.'),
} as const satisfies Record<string, CodeListEntry>;

/** DocumentReference.type values. */
export const DOCUMENT_TYPES = {
  consultationNote: sct('371530004', 'Clinical consultation report', 'Consultation note: what was discussed and decided at an appointment.'),
  dischargeSummary: sct('373942005', 'Discharge summary', 'Discharge summary: a letter from the hospital about your stay, the treatment you had and what happens next.'),
  clinicLetter: sct('371531000', 'Report of clinical encounter', 'Clinic letter: a letter from a hospital clinic to your GP about your appointment.'),
} as const satisfies Record<string, CodeListEntry>;
