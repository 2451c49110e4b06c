/**
 * The trust's record of a person (its PAS/EPR): Patient with the trust's MRN, each admission
 * (Encounter class IMP) or clinic attendance (class AMB) with its reason, the consultant and
 * the trust as service provider, vital signs taken on admission, and the discharge summary or
 * clinic letter.
 *
 * @see https://hl7.org/fhir/R4/encounter.html
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html (IMP, AMB)
 */
import { conceptOf } from '../code-lists/code-list.js';
import { ENCOUNTER_TYPES } from '../code-lists/encounters.js';
import { isoDateTime } from '../dates.js';
import type { SourceDemographics } from '../perturb.js';
import type { Person } from '../person.js';
import type { HospitalEpisode } from '../story/types.js';
import { documentBody } from './documents.js';
import { primaryPerformer } from './gp.js';
import { vitalSignBodies } from './observations.js';
import { patientBody } from './patient.js';
import { localRef, organisationRef, practitionerRef } from './references.js';
import type { SourceRecord } from './source-record.js';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** Writes the hospital record of `person` into `record`; returns the Patient's full URL. */
export function writeHospitalRecord(record: SourceRecord, person: Person, episodes: readonly HospitalEpisode[], demographics: SourceDemographics): string {
  const trustRef = organisationRef(person.trust.odsCode, person.trust.name);
  const { body, otherIdentifiers } = patientBody(demographics, person.sex, person.practice, '01');
  const patientUrl = record.writer.add('Patient', { system: record.source.patientIdentifierSystem, value: record.localPatientId }, body, otherIdentifiers);
  const subject = localRef(patientUrl);
  for (const e of episodes) {
    const consultant = practitionerRef(e.consultant);
    const inpatient = e.encounterClass === 'IMP';
    const encounterUrl = record.add('Encounter', 'encounter', {
      status: 'finished',
      class: inpatient ? { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' } : { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
      type: [conceptOf(inpatient ? ENCOUNTER_TYPES.admission : ENCOUNTER_TYPES.followUp)],
      serviceType: { text: e.specialty },
      subject,
      participant: primaryPerformer(consultant),
      period: { start: isoDateTime(e.start), end: isoDateTime(e.end) },
      reasonCode: [conceptOf(e.reason)],
      serviceProvider: trustRef,
    });
    const encounter = localRef(encounterUrl);
    if (e.vitals !== undefined) {
      for (const [, vitals] of vitalSignBodies(e.vitals, { subject, encounter, effective: isoDateTime(e.start), performer: consultant })) {
        record.add('Observation', 'observation', vitals);
      }
    }
    record.add('DocumentReference', 'document', documentBody({
      type: e.letter.type, title: e.letter.title, text: e.letter.text, subject, date: e.end,
      author: consultant, custodian: trustRef, encounter, period: { start: e.start, end: e.end },
    }));
  }
  return patientUrl;
}
