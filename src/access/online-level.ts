/**
 * A patient's level of online access to their own record, as their GP practice sets it (nhs-domain
 * §3.1, §3.2): the summary (allergies and medicines), the detailed coded record (every coded
 * entry, no free-text documents or letters), or the full record. Prospective full access is the
 * default in England since 31 October 2023, so no marker means `full`; a practice may set a lower
 * level for a patient, e.g. to safeguard them, or none at all.
 *
 * Where it is recorded: an extension on the Patient resource the practice's GP system writes,
 * `https://tessera.example/fhir/StructureDefinition/online-record-access` with a `valueCode`
 * (`none` | `summary` | `detailed-coded` | `full`). Not a Consent: Consents are the patient's
 * own sharing choices, which they write through the app; this is the practice's decision, and
 * patients may not change it (the FHIR router refuses a patient's write that would). No SNOMED
 * CT code for these levels is published that we could cite (nhs-domain §3.3 lists only the
 * enhanced-review codes), hence Tessera's own extension until one is. When a person has several
 * linked records, the lowest level any of them carries applies (fail closed). Pure.
 *
 * @see https://digital.nhs.uk/services/nhs-app/nhs-app-guidance-for-gp-practices/guidance-on-nhs-app-features/online-access-to-gp-health-records (levels of access)
 * @see https://www.england.nhs.uk/long-read/online-access-to-new-gp-health-record-information/ (prospective access, 2023)
 */

/** Online access levels, lowest first. */
export const ONLINE_LEVELS = ['none', 'summary', 'detailed-coded', 'full'] as const;
export type OnlineLevel = (typeof ONLINE_LEVELS)[number];

/** The Patient extension carrying the level the practice set. */
export const ONLINE_LEVEL_EXTENSION = 'https://tessera.example/fhir/StructureDefinition/online-record-access';

/**
 * Types a patient sees at every level above `none`: their demographics, and their own sharing
 * choices and reports about their record (what the app lets them write), which are not part of
 * the clinical record the levels are about.
 */
export const ALWAYS_TYPES: readonly string[] = ['Patient', 'Consent', 'Task'];

/** The summary: allergies, adverse reactions and medications (nhs-domain §3.1). */
export const SUMMARY_TYPES: readonly string[] = [...ALWAYS_TYPES, 'AllergyIntolerance', 'MedicationRequest', 'MedicationStatement', 'MedicationDispense', 'MedicationAdministration'];

/**
 * Free text, consultation notes, letters and documents: the full record only. Coded entries
 * may still carry a note inside (e.g. `Observation.note`); the API returns those whole and the
 * patient app leaves such notes out below the full record.
 */
export const FREE_TEXT_TYPES: readonly string[] = ['DocumentReference', 'Composition', 'Binary', 'Media', 'Communication', 'CommunicationRequest', 'ClinicalImpression'];

/** The level a Patient resource carries, if the practice set one. */
export function onlineLevelOf(patient: Record<string, unknown>): OnlineLevel | undefined {
  if (patient.resourceType !== 'Patient' || !Array.isArray(patient.extension)) return undefined;
  let out: OnlineLevel | undefined;
  for (const e of patient.extension as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { url, valueCode } = e as { url?: unknown; valueCode?: unknown };
    if (url !== ONLINE_LEVEL_EXTENSION) continue;
    // An unknown code fails closed to the lowest level.
    const level: OnlineLevel = (ONLINE_LEVELS as readonly unknown[]).includes(valueCode) ? (valueCode as OnlineLevel) : 'none';
    out = out === undefined ? level : lowerOf(out, level);
  }
  return out;
}

/** The lower of two levels. */
export function lowerOf(a: OnlineLevel, b: OnlineLevel): OnlineLevel {
  return ONLINE_LEVELS.indexOf(a) <= ONLINE_LEVELS.indexOf(b) ? a : b;
}

/**
 * `resource` as `level` shows it: below the full record there is no free text, so the `note`
 * inside coded entries (a clinician's comment on a result, say) is left out (nhs-domain §3.1).
 * The same object when nothing is left out.
 */
export function asShownAt<T extends object>(level: OnlineLevel, resource: T): T {
  if (level === 'full' || (resource as { note?: unknown }).note === undefined) return resource;
  const { note: _freeText, ...coded } = resource as T & { note?: unknown };
  return coded as T;
}

/** Whether a resource of `type` is part of what `level` shows. */
export function typeShownAt(level: OnlineLevel, type: string): boolean {
  switch (level) {
    case 'full': return true;
    case 'detailed-coded': return !FREE_TEXT_TYPES.includes(type);
    case 'summary': return SUMMARY_TYPES.includes(type);
    case 'none': return type === 'Patient';
  }
}
