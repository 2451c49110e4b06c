/**
 * The UK part of the demo data: a small, deterministic synthetic population from the
 * generator (GP, hospital and laboratory records per person, each with its own `meta.source`),
 * each person's records linked with `Patient.link`, plus a few additions for the person with
 * the largest record and for the youngest child, so the patient app has something to show in
 * every part: disagreements between systems, a duplicate, an allergy only the hospital knows
 * about, entries that must never be shown online (redacted, third-party, a result not yet
 * filed, one hidden from proxies), a clinician's comment on a result, and audit entries
 * including an emergency ("break-glass") access.
 */
import { ACT_CODE, ONLINE_VISIBILITY } from '../access/codes.js';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.js';
import { generatePopulation, type GeneratedPerson } from '../generate/index.js';
import { setPatientLink } from '../operations/patient-link.js';
import { processTransaction } from '../store/bundle-processor.js';
import type { FhirStore } from '../store/fhir-store.js';

/** How many people, and the seed: chosen so the largest record has all three kinds of source and there are young children. */
export const UK_DEMO_PATIENTS = 24;
export const UK_DEMO_SEED = 14;


function noRead(): never {
  throw new Error('GET entries are not expected in demo bundles');
}

/** The generation date: today (UTC midnight), so the records look recent. */
export function demoDate(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function resources(p: GeneratedPerson, kind?: string): Resource[] {
  return p.bundles.filter((b) => !kind || b.source.kind === kind).flatMap((b) => (b.bundle.entry ?? []).map((e) => e.resource!).filter(Boolean));
}

function patientOf(p: GeneratedPerson, kind: string): Resource | undefined {
  return resources(p, kind).find((r) => r.resourceType === 'Patient');
}

function size(p: GeneratedPerson): number {
  return p.bundles.reduce((n, b) => n + (b.bundle.entry?.length ?? 0), 0);
}

/** The person the demo `patient` user gets: the largest record. */
export function largestPerson(people: readonly GeneratedPerson[]): GeneratedPerson | undefined {
  return [...people].sort((a, b) => size(b) - size(a))[0];
}

/** The youngest person (the carer's child in the demo). */
export function youngestPerson(people: readonly GeneratedPerson[]): GeneratedPerson | undefined {
  return [...people].sort((a, b) => String(patientOf(b, 'gp')?.birthDate).localeCompare(String(patientOf(a, 'gp')?.birthDate)))[0];
}

const put = (r: Resource): BundleEntry => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } });
const days = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000).toISOString();

/** The additions for the largest record (pure). */
export function enrichLargest(p: GeneratedPerson, now: Date): Resource[] {
  const gp = patientOf(p, 'gp');
  const hosp = patientOf(p, 'hospital');
  const lab = patientOf(p, 'laboratory');
  if (!gp) return [];
  const gpSource = gp.meta?.source;
  const hospSource = hosp?.meta?.source;
  const out: Resource[] = [];
  const ref = (r: Resource) => ({ reference: `Patient/${r.id}` });
  const gpMeds = resources(p, 'gp').filter((r) => r.resourceType === 'MedicationRequest' && r.status === 'active');
  const gpConds = resources(p, 'gp').filter((r) => r.resourceType === 'Condition');
  if (hosp && hospSource) {
    // The hospital's discharge medicines: the first GP medicine at a different dose, the second the same.
    const [first, second] = gpMeds;
    if (first) out.push({ ...first, id: `${hosp.id}-demo-med-1`, meta: { source: hospSource }, subject: ref(hosp), authoredOn: days(now, -40).slice(0, 10), dosageInstruction: [{ text: 'Dose changed on discharge: take two tablets twice a day' }], reasonReference: undefined, requester: undefined });
    if (second) out.push({ ...second, id: `${hosp.id}-demo-med-2`, meta: { source: hospSource }, subject: ref(hosp), authoredOn: days(now, -40).slice(0, 10), requester: undefined, reasonReference: undefined });
    // An allergy only the hospital recorded.
    out.push({
      resourceType: 'AllergyIntolerance', id: `${hosp.id}-demo-allergy`, meta: { source: hospSource },
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      type: 'allergy', category: ['medication'], criticality: 'high',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' }], text: 'Penicillin' },
      patient: ref(hosp), recordedDate: days(now, -41).slice(0, 10),
      reaction: [{ manifestation: [{ coding: [{ system: 'http://snomed.info/sct', code: '271807003', display: 'Eruption of skin' }], text: 'Eruption of skin' }], severity: 'moderate' }],
    });
    // A condition the hospital holds as resolved while the GP has it as current.
    const cond = gpConds.find((c) => (c.clinicalStatus as { coding?: { code?: string }[] } | undefined)?.coding?.[0]?.code === 'active');
    if (cond) out.push({ ...cond, id: `${hosp.id}-demo-condition`, meta: { source: hospSource }, subject: ref(hosp), clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] }, recorder: undefined, recordedDate: days(now, -40).slice(0, 10) });
  }
  // Entries that must never be shown online.
  out.push({
    resourceType: 'DocumentReference', id: `${gp.id}-demo-redacted`, meta: { source: gpSource, security: [{ system: ONLINE_VISIBILITY, code: 'redacted' }] }, status: 'current',
    type: { text: 'Consultation note' }, subject: ref(gp), date: days(now, -10), description: 'Redacted consultation (withheld from online access)',
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Withheld from online access.').toString('base64') } }],
  });
  out.push({
    resourceType: 'Condition', id: `${gp.id}-demo-third-party`, meta: { source: gpSource, security: [{ system: ONLINE_VISIBILITY, code: 'third-party' }] },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    code: { text: 'Family history recorded from a relative (third-party information)' }, subject: ref(gp), onsetDateTime: days(now, -12).slice(0, 10),
  });
  out.push({
    resourceType: 'DocumentReference', id: `${gp.id}-demo-nopat`, meta: { source: gpSource, security: [{ system: ACT_CODE, code: 'NOPAT' }] }, status: 'current',
    type: { text: 'Safeguarding note' }, subject: ref(gp), date: days(now, -9), description: 'Safeguarding note (not for the patient)',
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Not for the patient.').toString('base64') } }],
  });
  if (lab) {
    out.push({
      resourceType: 'Observation', id: `${lab.id}-demo-unfiled`, meta: { source: lab.meta?.source }, status: 'preliminary',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '59261-8', display: 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol' }], text: 'HbA1c' },
      subject: ref(lab), effectiveDateTime: days(now, -2), valueQuantity: { value: 71, unit: 'mmol/mol', system: 'http://unitsofmeasure.org', code: 'mmol/mol' },
      note: [{ text: 'Awaiting clinician review (not yet filed)' }],
    });
    // A clinician's comment on the newest filed report.
    const reports = resources(p, 'laboratory').filter((r) => r.resourceType === 'DiagnosticReport').sort((a, b) => String(b.effectiveDateTime).localeCompare(String(a.effectiveDateTime)));
    if (reports[0]) out.push({ ...reports[0], conclusion: 'Reviewed by your GP: no change to treatment needed. We will repeat this at your next annual review.' });
  }
  // An open referral from the GP to the hospital: a care relationship, so the demo hospital
  // doctor may see this record (who has looked at it is recorded by Tessera itself as it is used).
  const hospitalOrg = resources(p, 'hospital').map((r) => (r.serviceProvider as { reference?: string } | undefined)?.reference).find((r) => r?.startsWith('Organization/'));
  const practice = (gp.generalPractitioner as { reference?: string }[] | undefined)?.[0]?.reference;
  if (hospitalOrg) {
    out.push({
      resourceType: 'ServiceRequest', id: `${gp.id}-demo-referral`, meta: { source: gpSource }, status: 'active', intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
      code: { text: 'Referral to diabetes clinic' }, subject: ref(gp), authoredOn: days(now, -15).slice(0, 10),
      ...(practice ? { requester: { reference: practice } } : {}), performer: [{ reference: hospitalOrg }],
    });
  }
  return out;
}

/** The additions for the youngest child: one entry hidden from proxies (e.g. a confidential consultation). */
export function enrichChild(p: GeneratedPerson, now: Date): Resource[] {
  const gp = patientOf(p, 'gp');
  if (!gp) return [];
  return [{
    resourceType: 'Condition', id: `${gp.id}-demo-proxy-hidden`, meta: { source: gp.meta?.source, security: [{ system: ONLINE_VISIBILITY, code: 'hidden-from-proxy' }] },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    code: { text: 'Confidential consultation (hidden from people with proxy access)' }, subject: { reference: `Patient/${gp.id}` }, onsetDateTime: days(now, -30).slice(0, 10),
  }];
}

/** Who links the demo's records: the demo loader itself, as each link's Provenance says. */
const DEMO_LINKER = { clientId: 'tessera-demo', display: 'Tessera demo data loader' } as const;

/** Loads the UK demo population into `store`. Returns the number of resources written. */
export async function loadUkDemoPopulation(store: FhirStore, baseUrl: string, now: Date): Promise<number> {
  const date = demoDate(now);
  const pop = generatePopulation({ patients: UK_DEMO_PATIENTS, seed: UK_DEMO_SEED, now: date, requests: 'id' });
  const load = async (bundle: Bundle, activity: string) => {
    await processTransaction(store, bundle, { baseUrl, prefer: 'minimal', read: noRead, provenance: { activity } });
    return bundle.entry?.length ?? 0;
  };
  let n = await load(pop.shared, 'Imported from the UK demo directory');
  for (const person of pop.people) {
    for (const b of person.bundles) n += await load(b.bundle, `Imported from ${b.source.name}`);
    const gp = patientOf(person, 'gp');
    for (const kind of ['hospital', 'laboratory']) {
      const other = patientOf(person, kind);
      if (gp?.id && other?.id) await setPatientLink(store, gp.id, other.id, 'link', { baseUrl, agent: DEMO_LINKER, reason: 'The same person in the generated population' });
    }
  }
  const extra: Resource[] = [];
  const largest = largestPerson(pop.people);
  const child = youngestPerson(pop.people);
  if (largest) extra.push(...enrichLargest(largest, date));
  if (child && child !== largest) extra.push(...enrichChild(child, date));
  if (extra.length) n += await load({ resourceType: 'Bundle', type: 'transaction', entry: extra.map((r) => put(JSON.parse(JSON.stringify(r)) as Resource)) }, 'Demo additions');
  return n;
}
