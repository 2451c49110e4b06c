/**
 * The laboratory's record of a person: its own Patient (often without the NHS number, and
 * with the surname in capitals), and one DiagnosticReport per panel per sample with its
 * Observations, each carrying this laboratory's reference range.
 *
 * @see https://hl7.org/fhir/R4/diagnosticreport.html
 * @see https://hl7.org/fhir/R4/observation.html
 */
import { conceptOf } from '../code-lists/code-list.js';
import { PANELS } from '../code-lists/observations.js';
import { addDays, isoDateTime } from '../dates.js';
import type { SourceDemographics } from '../perturb.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { referenceRangeFor } from '../reference-data/reference-ranges.js';
import type { LabEvent } from '../story/types.js';
import { labResultBody } from './observations.js';
import { patientBody } from './patient.js';
import { localRef, siteRef } from './references.js';
import type { SourceRecord } from './source-record.js';

const SERVICE_SECTION = 'http://terminology.hl7.org/CodeSystem/v2-0074';

/** Writes the laboratory record of `person` into `record`; returns the Patient's full URL. */
export function writeLaboratoryRecord(record: SourceRecord, person: Person, labs: readonly LabEvent[], demographics: SourceDemographics, random: Random): string {
  const lab = person.laboratory;
  const performer = siteRef(lab.siteCode, lab.name);
  const { body, otherIdentifiers } = patientBody(demographics, person.sex, person.practice, '02');
  const patientUrl = record.writer.add('Patient', { system: record.source.patientIdentifierSystem, value: record.localPatientId }, body, otherIdentifiers);
  const subject = localRef(patientUrl);
  for (const event of labs) {
    const effective = isoDateTime(event.date);
    const issued = isoDateTime(addDays(event.date, random.int(4, 30) / 24));
    for (const panelKey of event.panels) {
      const panel = PANELS[panelKey];
      const results: { reference: string }[] = [];
      for (const key of panel.members) {
        const value = event.values[key];
        if (value === undefined) continue;
        const range = referenceRangeFor(lab.siteCode, key, person.sex);
        results.push(localRef(record.add('Observation', 'observation', labResultBody(key, value, range, { subject, effective, issued, performer }))));
      }
      if (results.length === 0) continue;
      record.add('DiagnosticReport', 'report', {
        status: 'final',
        category: [{ coding: [{ system: SERVICE_SECTION, code: panel.section, display: 'Chemistry' }] }],
        code: conceptOf(panel),
        subject,
        effectiveDateTime: effective,
        issued,
        performer: [performer],
        result: results,
      });
    }
  }
  return patientUrl;
}
