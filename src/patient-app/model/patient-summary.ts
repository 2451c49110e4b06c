/**
 * Who a record is about, as the home page shows it: name, NHS number (3 3 4), date of birth and
 * GP practice, taken from the person's linked Patient records (the GP's first). Pure.
 */
import { NHS_NUMBER_SYSTEM } from '../../fhir/nhs-number.js';
import type { Resource } from '../../fhir/types.js';
import { list, parseDate, str, type Ref } from './fhir-values.js';
import { formatDate, nhsNumberText, personName } from './format.js';

/** The person, in words. */
export interface PatientSummary {
  name: string;
  nhsNumber?: string;
  birthDate?: string;
  gpPractice?: string;
}

/** Summarises the Patient records of one person; `preferredId` (their main record) first. */
export function patientSummary(patients: readonly Resource[], preferredId: string): PatientSummary {
  const ordered = [...patients].sort((a, b) => (a.id === preferredId ? -1 : b.id === preferredId ? 1 : 0));
  const main = ordered[0];
  const nhs = ordered.flatMap((p) => list<{ system?: string; value?: string }>(p.identifier)).find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
  const birth = ordered.map((p) => parseDate(p.birthDate)).find(Boolean);
  const gp = ordered.flatMap((p) => list<Ref>(p.generalPractitioner)).map((r) => str(r.display)).find(Boolean);
  const out: PatientSummary = { name: personName(main) };
  const formatted = nhsNumberText(nhs);
  if (formatted) out.nhsNumber = formatted;
  if (birth) out.birthDate = formatDate(birth);
  if (gp) out.gpPractice = gp;
  return out;
}
