/**
 * The GP system's record of a person: Patient, problem list (Condition), medicines
 * (MedicationRequest), allergies, vaccinations, consultations (Encounter with a
 * DocumentReference note and any vital signs) and the hospital letters the practice received.
 *
 * @see https://hl7.org/fhir/R4/condition.html
 * @see https://hl7.org/fhir/R4/medicationrequest.html
 * @see https://hl7.org/fhir/R4/allergyintolerance.html
 * @see https://hl7.org/fhir/R4/immunization.html
 * @see https://hl7.org/fhir/R4/encounter.html
 * @see https://hl7.org/fhir/R4/documentreference.html
 */
import { NO_KNOWN_ALLERGY } from '../code-lists/allergies.js';
import { conceptOf, UCUM } from '../code-lists/code-list.js';
import { LONG_TERM_CONDITIONS } from '../code-lists/conditions.js';
import { DOCUMENT_TYPES, ENCOUNTER_TYPES } from '../code-lists/encounters.js';
import { INTRAMUSCULAR, VACCINES } from '../code-lists/immunisations.js';
import { MEDICATIONS } from '../code-lists/medications.js';
import { addDays, isoDate, isoDateTime } from '../dates.js';
import type { SourceDemographics } from '../perturb.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import type { ClinicalStory, Consultation } from '../story/types.js';
import { vitalSignBodies } from './observations.js';
import { patientBody } from './patient.js';
import { localRef, organisationRef, practitionerRef, type Ref } from './references.js';
import type { SourceRecord } from './source-record.js';
import { documentBody } from './documents.js';

const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';
const COURSE_OF_THERAPY = 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy';
const MEDICATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/medicationrequest-category';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/** `Encounter.participant` for the clinician who saw the person. */
export function primaryPerformer(individual: Ref): Record<string, unknown>[] {
  return [{ type: [{ coding: [{ system: PARTICIPATION, code: 'PPRF', display: 'primary performer' }] }], individual }];
}

/** Writes the GP record of `person` into `record`; returns the Patient's full URL. */
export function writeGpRecord(record: SourceRecord, person: Person, story: ClinicalStory, demographics: SourceDemographics, random: Random): string {
  const practice = person.practice;
  const practiceRef = organisationRef(practice.odsCode, practice.name);
  const { body, otherIdentifiers } = patientBody(demographics, person.sex, practice, '01');
  const patientUrl = record.writer.add('Patient', { system: record.source.patientIdentifierSystem, value: record.localPatientId }, body, otherIdentifiers);
  const subject = localRef(patientUrl);

  const conditionUrls = new Map<string, string>();
  for (const c of story.conditions) {
    const status = c.abatement !== undefined ? 'resolved' : 'active';
    conditionUrls.set(c.key, record.add('Condition', 'condition', {
      clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: status }] },
      verificationStatus: { coding: [{ system: CONDITION_VERIFICATION, code: 'confirmed' }] },
      category: [{ coding: [{ system: CONDITION_CATEGORY, code: 'problem-list-item', display: 'Problem List Item' }] }],
      code: conceptOf(LONG_TERM_CONDITIONS[c.key]),
      subject,
      onsetDateTime: isoDate(c.onset),
      ...(c.abatement !== undefined ? { abatementDateTime: isoDate(c.abatement) } : {}),
      recordedDate: isoDate(addDays(c.onset, 1)),
      recorder: practitionerRef(c.recorder),
    }));
  }

  for (const m of story.medications) {
    const med = MEDICATIONS[m.key];
    const reasonUrl = m.reason !== undefined ? conditionUrls.get(m.reason) : undefined;
    record.add('MedicationRequest', 'medication-request', {
      status: m.status,
      ...(m.stopReason !== undefined ? { statusReason: { text: m.stopReason } } : {}),
      intent: 'order',
      category: [{ coding: [{ system: MEDICATION_CATEGORY, code: 'community', display: 'Community' }] }],
      medicationCodeableConcept: conceptOf(med),
      subject,
      authoredOn: isoDate(m.start),
      requester: practitionerRef(m.prescriber),
      ...(reasonUrl !== undefined ? { reasonReference: [localRef(reasonUrl)] } : {}),
      courseOfTherapyType: { coding: [{ system: COURSE_OF_THERAPY, code: med.course, display: med.course === 'acute' ? 'Short course (acute) therapy' : 'Continuous long term therapy' }] },
      dosageInstruction: [{ text: med.dosageText }],
      dispenseRequest: {
        validityPeriod: { start: isoDate(m.start), ...(m.end !== undefined ? { end: isoDate(m.end) } : {}) },
        quantity: { value: med.quantity.value, unit: med.quantity.unit },
        expectedSupplyDuration: { value: med.course === 'acute' ? 5 : 28, unit: 'days', system: UCUM, code: 'd' },
      },
    });
  }

  for (const a of story.allergies) {
    const common = {
      clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active' }] },
      verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: 'confirmed' }] },
    };
    if (a.allergen === undefined) {
      record.add('AllergyIntolerance', 'allergy', { ...common, code: conceptOf(NO_KNOWN_ALLERGY), patient: subject, recordedDate: isoDate(a.recorded), recorder: practitionerRef(a.recorder) });
      continue;
    }
    record.add('AllergyIntolerance', 'allergy', {
      ...common,
      type: a.allergen.type,
      category: [a.allergen.category],
      criticality: a.severity === 'severe' ? 'high' : 'low',
      code: conceptOf(a.allergen),
      patient: subject,
      recordedDate: isoDate(a.recorded),
      recorder: practitionerRef(a.recorder),
      ...(a.reaction !== undefined ? { reaction: [{ manifestation: [conceptOf(a.reaction)], ...(a.severity !== undefined ? { severity: a.severity } : {}) }] } : {}),
    });
  }

  for (const i of story.immunisations) {
    const vaccine = VACCINES[i.vaccine];
    record.add('Immunization', 'immunization', {
      status: 'completed',
      vaccineCode: conceptOf(vaccine),
      patient: subject,
      occurrenceDateTime: isoDateTime(i.date),
      recorded: isoDateTime(i.date),
      primarySource: true,
      lotNumber: i.lotNumber,
      site: conceptOf(i.site),
      route: conceptOf(INTRAMUSCULAR),
      doseQuantity: { value: vaccine.doseMl, unit: 'ml', system: UCUM, code: 'mL' },
      performer: [{ actor: practitionerRef(i.performer) }],
      protocolApplied: [{ targetDisease: [conceptOf(vaccine.targetDisease)], doseNumberPositiveInt: i.doseNumber }],
    });
  }

  for (const c of story.consultations) writeConsultation(record, c, subject, practiceRef);

  // Letters from the hospital, filed in the GP record as received correspondence.
  for (const e of story.hospitalEpisodes) {
    const received = addDays(e.end, e.encounterClass === 'IMP' ? 1 : random.int(3, 14));
    record.add('DocumentReference', 'document', documentBody({
      type: e.letter.type, title: e.letter.title, text: e.letter.text, subject, date: received,
      author: organisationRef(person.trust.odsCode, person.trust.name), custodian: practiceRef,
      period: { start: e.start, end: e.end },
    }));
  }
  return patientUrl;
}

function writeConsultation(record: SourceRecord, c: Consultation, subject: Ref, practiceRef: Ref): void {
  const clinician = practitionerRef(c.clinician);
  const end = addDays(c.date, 12 / 1440);
  const telephone = c.mode === 'telephone';
  const encounterUrl = record.add('Encounter', 'encounter', {
    status: 'finished',
    class: telephone ? { system: ACT_CODE, code: 'VR', display: 'virtual' } : { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
    type: [conceptOf(telephone ? ENCOUNTER_TYPES.telephone : ENCOUNTER_TYPES.consultation)],
    subject,
    participant: primaryPerformer(clinician),
    period: { start: isoDateTime(c.date), end: isoDateTime(end) },
    reasonCode: [conceptOf(c.reason)],
    serviceProvider: practiceRef,
  });
  const encounter = localRef(encounterUrl);
  record.add('DocumentReference', 'document', documentBody({
    type: DOCUMENT_TYPES.consultationNote, title: `Consultation: ${c.reason.display}`, text: c.note, subject, date: end,
    author: clinician, custodian: practiceRef, encounter, period: { start: c.date, end },
  }));
  if (c.vitals !== undefined) {
    for (const [, body] of vitalSignBodies(c.vitals, { subject, encounter, effective: isoDateTime(c.date), performer: clinician })) {
      record.add('Observation', 'observation', body);
    }
  }
}
