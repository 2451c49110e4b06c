/**
 * A small multi-source record for patient app tests: Ann Example's GP, hospital and laboratory
 * records (linked), with duplicates, disagreements, results from two laboratories with their
 * own ranges, items that must never be shown online (redacted, third-party, NOPAT, a result not
 * yet filed), a stored script in a condition's text, audit entries and a child she cares for.
 * Written for these tests; all people and organisations are invented.
 */
import type { Bundle, Resource } from '../../src/fhir/types.js';

export const GP = 'https://tessera.example/systems/gp-A99001';
export const TRUST = 'https://tessera.example/systems/trust-R9A';
export const LAB_A = 'https://tessera.example/systems/lab-R9A01';
export const LAB_B = 'https://tessera.example/systems/lab-R9B02';
export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const DMD = 'https://dmd.nhs.uk';
export const UCUM = 'http://unitsofmeasure.org';
const VIS = 'https://tessera.example/fhir/CodeSystem/online-visibility';

/** Text that appears only in items that must never be shown to the patient or a proxy. */
export const SECRET_MARKERS = ['REDACTED-MARKER-1', 'THIRD-PARTY-MARKER-2', 'NOPAT-MARKER-3', 'UNFILED-MARKER-4', 'PROXY-HIDDEN-MARKER-5'];
/** Shown to the patient but never to a proxy. */
export const PROXY_ONLY_HIDDEN = 'PROXY-HIDDEN-MARKER-5';
/** A script stored in a record. */
export const XSS_TEXT = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">Rash';

const put = (r: Resource): { resource: Resource; request: { method: string; url: string } } => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } });
const meta = (source: string, extra: object = {}) => ({ source, ...extra });
const subj = (id: string) => ({ reference: `Patient/${id}` });
const cc = (system: string, code: string, display: string) => ({ coding: [{ system, code, display }], text: display });
const clinical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] });
const allergyClinical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code }] });
const lab = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };

function hba1c(id: string, source: string, patient: string, date: string, value: number, high: number, labName: string, extra: Partial<Resource> = {}): Resource {
  return {
    resourceType: 'Observation', id, meta: meta(source), status: 'final', category: [lab], code: cc(LOINC, '59261-8', 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol'),
    subject: subj(patient), effectiveDateTime: date, issued: date, performer: [{ display: labName }],
    valueQuantity: { value, unit: 'mmol/mol', system: UCUM, code: 'mmol/mol' },
    referenceRange: [{ high: { value: high, unit: 'mmol/mol', system: UCUM, code: 'mmol/mol' }, text: `<${high + 1} mmol/mol` }],
    ...extra,
  };
}

/** The fixture as one transaction bundle. */
export function patientFixture(): Bundle {
  const A = 'ann-gp';
  const AH = 'ann-hosp';
  const AL = 'ann-lab';
  const entries: Resource[] = [
    { resourceType: 'Patient', id: A, meta: meta(GP), identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }], name: [{ use: 'official', family: 'Example', given: ['Ann'] }], gender: 'female', birthDate: '1950-03-04', generalPractitioner: [{ display: 'Lindley Medical Centre' }], link: [{ other: { reference: `Patient/${AH}` }, type: 'seealso' }, { other: { reference: `Patient/${AL}` }, type: 'seealso' }] },
    { resourceType: 'Patient', id: AH, meta: meta(TRUST), name: [{ family: 'Example', given: ['Ann'] }], gender: 'female', birthDate: '1950-03-04', link: [{ other: { reference: `Patient/${A}` }, type: 'seealso' }] },
    { resourceType: 'Patient', id: AL, meta: meta(LAB_A), name: [{ family: 'EXAMPLE', given: ['Ann'] }], gender: 'female', birthDate: '1950-03-04', link: [{ other: { reference: `Patient/${A}` }, type: 'seealso' }] },
    // Conditions: diabetes (GP), high blood pressure (GP active, hospital resolved → disagreement), rash with a stored script.
    { resourceType: 'Condition', id: 'c-diabetes', meta: meta(GP), clinicalStatus: clinical('active'), code: cc(SNOMED, '44054006', 'Diabetes mellitus type 2'), subject: subj(A), onsetDateTime: '2019-04-01', recordedDate: '2019-04-02' },
    { resourceType: 'Condition', id: 'c-htn-gp', meta: meta(GP), clinicalStatus: clinical('active'), code: cc(SNOMED, '38341003', 'Hypertensive disorder, systemic arterial'), subject: subj(A), onsetDateTime: '2015-01-10' },
    { resourceType: 'Condition', id: 'c-htn-hosp', meta: meta(TRUST), clinicalStatus: clinical('resolved'), code: cc(SNOMED, '38341003', 'Hypertensive disorder, systemic arterial'), subject: subj(AH), onsetDateTime: '2015-01-10' },
    { resourceType: 'Condition', id: 'c-xss', meta: meta(GP), clinicalStatus: clinical('active'), code: { text: XSS_TEXT }, subject: subj(A), onsetDateTime: '2024-02-02' },
    { resourceType: 'Condition', id: 'c-redacted', meta: meta(GP, { security: [{ system: VIS, code: 'redacted' }] }), clinicalStatus: clinical('active'), code: { text: 'REDACTED-MARKER-1 condition' }, subject: subj(A), onsetDateTime: '2023-02-02' },
    { resourceType: 'Condition', id: 'c-third', meta: meta(GP, { security: [{ system: VIS, code: 'third-party' }] }), clinicalStatus: clinical('active'), code: { text: 'THIRD-PARTY-MARKER-2 about a relative' }, subject: subj(A), onsetDateTime: '2023-02-03' },
    // Medicines: metformin with different doses (disagreement); amlodipine the same in both (duplicate).
    { resourceType: 'MedicationRequest', id: 'm-metformin-gp', meta: meta(GP), status: 'active', intent: 'order', medicationCodeableConcept: cc(DMD, '325278000', 'Metformin 500mg modified-release tablets'), subject: subj(A), authoredOn: '2019-04-03', reasonReference: [{ reference: 'Condition/c-diabetes' }], dosageInstruction: [{ text: 'One tablet twice a day' }] },
    { resourceType: 'MedicationRequest', id: 'm-metformin-hosp', meta: meta(TRUST), status: 'active', intent: 'order', medicationCodeableConcept: cc(DMD, '325278000', 'Metformin 500mg modified-release tablets'), subject: subj(AH), authoredOn: '2025-11-03', dosageInstruction: [{ text: 'Two tablets twice a day' }] },
    { resourceType: 'MedicationRequest', id: 'm-amlo-gp', meta: meta(GP), status: 'active', intent: 'order', medicationCodeableConcept: cc(DMD, '319283006', 'Amlodipine 5mg tablets'), subject: subj(A), authoredOn: '2015-02-01', dosageInstruction: [{ text: 'One tablet a day' }] },
    { resourceType: 'MedicationRequest', id: 'm-amlo-hosp', meta: meta(TRUST), status: 'active', intent: 'order', medicationCodeableConcept: cc(DMD, '319283006', 'Amlodipine 5mg tablets'), subject: subj(AH), authoredOn: '2025-11-03', dosageInstruction: [{ text: 'One tablet a day' }] },
    // Allergies: the GP says none known; the hospital recorded penicillin.
    { resourceType: 'AllergyIntolerance', id: 'a-nka', meta: meta(GP), clinicalStatus: allergyClinical('active'), code: cc(SNOMED, '716186003', 'No known allergy'), patient: subj(A), recordedDate: '2010-01-01' },
    { resourceType: 'AllergyIntolerance', id: 'a-pen', meta: meta(TRUST), clinicalStatus: allergyClinical('active'), criticality: 'high', code: cc(SNOMED, '764146007', 'Penicillin'), patient: subj(AH), recordedDate: '2025-11-02', reaction: [{ manifestation: [cc(SNOMED, '271807003', 'Eruption of skin')], severity: 'moderate' }] },
    { resourceType: 'Immunization', id: 'i-flu', meta: meta(GP), status: 'completed', vaccineCode: { text: 'Influenza vaccine' }, patient: subj(A), occurrenceDateTime: '2025-10-01' },
    // Hospital stay and a letter; a NOPAT document.
    { resourceType: 'Encounter', id: 'e-adm', meta: meta(TRUST), status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' }, subject: subj(AH), period: { start: '2025-11-01T10:00:00Z', end: '2025-11-03T12:00:00Z' }, reasonCode: [cc(SNOMED, '233604007', 'Pneumonia')], serviceProvider: { display: 'Leeds Teaching Hospitals' } },
    { resourceType: 'DocumentReference', id: 'd-letter', meta: meta(GP), status: 'current', type: { text: 'Discharge summary' }, subject: subj(A), date: '2025-11-04T09:00:00Z', description: 'Discharge summary: pneumonia', content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('You were treated for pneumonia with antibiotics.').toString('base64') } }] },
    { resourceType: 'DocumentReference', id: 'd-nopat', meta: meta(GP, { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'NOPAT' }] }), status: 'current', type: { text: 'Safeguarding note' }, subject: subj(A), date: '2025-12-01T09:00:00Z', description: 'NOPAT-MARKER-3 safeguarding note', content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('NOPAT-MARKER-3').toString('base64') } }] },
    // Results from two laboratories with their own ranges, one not yet filed.
    hba1c('o-a1', LAB_A, AL, '2024-01-10T09:00:00Z', 52, 41, 'Calderdale Pathology'),
    hba1c('o-a2', LAB_A, AL, '2025-01-12T09:00:00Z', 47, 41, 'Calderdale Pathology', { note: [{ text: 'Improving, keep going with the metformin' }] }),
    hba1c('o-b1', LAB_B, AL, '2025-09-05T09:00:00Z', 44, 47, 'Airedale Laboratory'),
    { ...hba1c('o-pending', LAB_A, AL, '2026-01-05T09:00:00Z', 99, 41, 'Calderdale Pathology'), status: 'preliminary', note: [{ text: 'UNFILED-MARKER-4' }] },
    { resourceType: 'Observation', id: 'o-hba1c-pct', meta: meta(GP), status: 'final', category: [lab], code: cc(LOINC, '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'), subject: subj(A), effectiveDateTime: '2023-06-01', valueQuantity: { value: 7.5, unit: '%', system: UCUM, code: '%' }, referenceRange: [{ high: { value: 6, unit: '%', system: UCUM, code: '%' } }] },
    { resourceType: 'DiagnosticReport', id: 'r-a2', meta: meta(LAB_A), status: 'final', code: cc(LOINC, '59261-8', 'HbA1c'), subject: subj(AL), effectiveDateTime: '2025-01-12T09:00:00Z', performer: [{ display: 'Calderdale Pathology' }], result: [{ reference: 'Observation/o-a2' }], conclusion: 'HbA1c improving.' },
    { resourceType: 'DiagnosticReport', id: 'r-pending', meta: meta(LAB_A), status: 'registered', code: cc(LOINC, '24362-6', 'Renal function panel'), subject: subj(AL), effectiveDateTime: '2026-01-05T09:00:00Z', result: [{ reference: 'Observation/o-pending' }], conclusion: 'UNFILED-MARKER-4' },
  ];
  // Who has looked at Ann's record: her GP, an emergency (break-glass) access, and Ann herself (not listed).
  const audit = (id: string, who: Record<string, unknown>, role: string, purpose: string, display: string, recorded: string, org?: string): Resource => ({
    resourceType: 'AuditEvent', id, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    action: 'R', recorded, outcome: '0', purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: purpose, display }] }],
    agent: [{ who, requestor: true, role: [{ text: role }], ...(org ? { extension: [{ url: 'https://tessera.example/fhir/StructureDefinition/agent-organization', valueReference: { display: org } }] } : {}) }],
    source: { observer: { display: 'Tessera' } }, entity: [{ what: { reference: `Patient/${A}` }, name: 'Health record' }],
  });
  entries.push(
    audit('ae-gp', { reference: 'Practitioner/gp-1', display: 'Dr Gina Jones' }, 'GP', 'TREAT', 'treatment', '2026-02-01T09:30:00Z', 'Lindley Medical Centre'),
    audit('ae-btg', { display: 'Dr Sam Patel' }, 'Emergency department doctor', 'BTG', 'break the glass', '2026-02-03T02:10:00Z', 'Leeds Teaching Hospitals'),
    audit('ae-self', { reference: `Patient/${A}`, display: 'Ann Example' }, 'Patient', 'PATRQT', 'patient requested', '2026-02-04T10:00:00Z'),
  );
  // The child Ann cares for.
  entries.push(
    { resourceType: 'Patient', id: 'tom', meta: meta(GP), identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765870' }], name: [{ use: 'official', family: 'Example', given: ['Tom'] }], gender: 'male', birthDate: '2019-05-06', generalPractitioner: [{ display: 'Lindley Medical Centre' }] },
    { resourceType: 'Immunization', id: 'i-tom', meta: meta(GP), status: 'completed', vaccineCode: { text: 'Pneumococcal vaccine' }, patient: subj('tom'), occurrenceDateTime: '2020-07-01' },
    { resourceType: 'Condition', id: 'c-tom-hidden', meta: meta(GP, { security: [{ system: VIS, code: 'hidden-from-proxy' }] }), clinicalStatus: clinical('active'), code: { text: 'PROXY-HIDDEN-MARKER-5 confidential' }, subject: subj('tom'), onsetDateTime: '2025-03-03' },
    { resourceType: 'Condition', id: 'c-tom-asthma', meta: meta(GP), clinicalStatus: clinical('active'), code: cc(SNOMED, '195967001', 'Asthma'), subject: subj('tom'), onsetDateTime: '2024-03-03' },
  );
  return { resourceType: 'Bundle', type: 'transaction', entry: entries.map(put) };
}
