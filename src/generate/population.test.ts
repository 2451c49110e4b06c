import { describe, expect, it } from 'vitest';
import { isTestRangeNhsNumber, NHS_NUMBER_SYSTEM, nhsNumberIssues } from '../fhir/nhs-number.js';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.js';
import { validateResource } from '../fhir/validation/index.js';
import { OBSERVATIONS, PANELS } from './code-lists/index.js';
import { logicalId } from './emit/bundle-writer.js';
import { generatePeople, generatePopulation, generateSharedBundle, type Population } from './index.js';

const NOW = new Date('2025-06-01T09:30:00Z');
const population: Population = generatePopulation({ patients: 150, seed: 20250601, now: NOW });
const personBundles = population.people.flatMap((p) => p.bundles);
const allBundles: Bundle[] = [population.shared, ...personBundles.map((b) => b.bundle)];

/** Every `reference` string in a resource. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

const identifiers = (r: Resource) => r['identifier'] as { system: string; value: string }[];
const resourcesOf = (b: Bundle, type?: string) => (b.entry ?? []).map((e) => e.resource!).filter((r) => type === undefined || r.resourceType === type);

describe('generatePopulation: FHIR validity', () => {
  it('every generated bundle, and every resource in it, passes the R4 validator with zero issues', () => {
    const problems: string[] = [];
    for (const [i, bundle] of allBundles.entries()) {
      for (const issue of validateResource(bundle)) problems.push(`bundle ${i} (${bundle.meta?.source}): ${issue.expression?.join()} ${issue.diagnostics}`);
    }
    expect(problems).toEqual([]);
    expect(allBundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0)).toBeGreaterThan(3_000);
  });

  it('bundles are transactions of conditional updates keyed on each resource\'s own source identifier', () => {
    for (const { source, bundle } of personBundles) {
      expect(bundle.type).toBe('transaction');
      expect(bundle.timestamp).toBe('2025-06-01T09:30:00Z');
      for (const entry of bundle.entry ?? []) {
        const r = entry.resource!;
        expect(r.meta?.source).toBe(source.uri);
        const [key] = identifiers(r);
        expect(key!.system.startsWith(`${source.uri}/Id/`)).toBe(true);
        expect(entry.request).toEqual({ method: 'PUT', url: `${r.resourceType}?identifier=${key!.system}|${key!.value}` });
        expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      }
    }
  });

  it('full URLs are unique, and so are source identifiers per resource type', () => {
    const urls = new Set<string>();
    const keys = new Set<string>();
    for (const bundle of allBundles) {
      for (const e of bundle.entry ?? []) {
        expect(urls.has(e.fullUrl!), e.fullUrl).toBe(false);
        urls.add(e.fullUrl!);
        const key = `${e.request!.url}`;
        expect(keys.has(key), key).toBe(false);
        keys.add(key);
      }
    }
  });

  it('urn:uuid references resolve inside their own bundle; other references are conditional ones into the shared bundle', () => {
    const shared = new Set((population.shared.entry ?? []).map((e) => e.request!.url));
    for (const { bundle } of personBundles) {
      const local = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
      for (const ref of references(bundle.entry)) {
        if (ref.startsWith('urn:uuid:')) expect(local.has(ref), ref).toBe(true);
        else expect(shared.has(ref), ref).toBe(true);
      }
    }
  });

  it('the shared bundle holds the practices, trusts, laboratories and clinicians, and does not depend on the seed', () => {
    const orgs = resourcesOf(population.shared, 'Organization');
    expect(orgs.length).toBe(13);
    expect(resourcesOf(population.shared, 'Practitioner').length).toBeGreaterThan(40);
    expect(orgs.map((o) => o['name'])).toContain('Riverside Medical Practice');
    expect(JSON.stringify(generateSharedBundle(NOW))).toBe(JSON.stringify(population.shared));
  });
});

describe('generatePopulation: requests in `id` style', () => {
  const byId = generatePopulation({ patients: 40, seed: 20250601, now: NOW, requests: 'id' });
  const bundles = [byId.shared, ...byId.people.flatMap((p) => p.bundles.map((b) => b.bundle))];

  it('writes PUT Type/id with a logical id derived from the source identifier, still valid R4', () => {
    const ids = new Set<string>();
    for (const bundle of bundles) {
      expect(validateResource(bundle)).toEqual([]);
      for (const e of bundle.entry ?? []) {
        const r = e.resource!;
        expect(r.id).toMatch(/^[A-Za-z0-9.-]{1,64}$/);
        expect(e.request).toEqual({ method: 'PUT', url: `${r.resourceType}/${r.id}` });
        expect(ids.has(`${r.resourceType}/${r.id}`)).toBe(false);
        ids.add(`${r.resourceType}/${r.id}`);
      }
    }
    const gpPatient = byId.people[0]!.bundles[0]!.bundle.entry![0]!.resource!;
    expect(gpPatient.id).toBe(`${byId.people[0]!.bundles[0]!.source.key}-patient-number-${identifiers(gpPatient)[0]!.value}`);
  });

  it('holds the same data as the conditional style apart from ids and request URLs', () => {
    const strip = (p: Population) => JSON.stringify(p, (k, v: unknown) => (k === 'id' || k === 'request' ? undefined : v));
    expect(strip(byId)).toBe(strip(generatePopulation({ patients: 40, seed: 20250601, now: NOW })));
  });

  it('shortens an over-long id with a hash, keeping it unique', () => {
    const long = { system: 'https://tessera.example/systems/gp-A99001/Id/medication-request', value: 'x'.repeat(80) };
    const a = logicalId('gp-A99001', long);
    const b = logicalId('gp-A99001', { ...long, value: `${'x'.repeat(79)}y` });
    expect(a).toMatch(/^[A-Za-z0-9.-]{64}$/);
    expect(a).not.toBe(b);
  });

  it('rejects an unknown request style', () => {
    expect(() => generatePopulation({ patients: 1, seed: 1, now: NOW, requests: 'post' as never })).toThrow(RangeError);
  });
});

describe('generatePopulation: determinism', () => {
  it('the same options give byte-identical output', () => {
    const a = generatePopulation({ patients: 40, seed: 99, now: NOW });
    const b = generatePopulation({ patients: 40, seed: 99, now: NOW });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('a different seed gives different people', () => {
    const a = generatePopulation({ patients: 40, seed: 99, now: NOW });
    const b = generatePopulation({ patients: 40, seed: 100, now: NOW });
    expect(JSON.stringify(a.people)).not.toBe(JSON.stringify(b.people));
    expect(a.groundTruth.people.map((p) => p.nhsNumber)).not.toEqual(b.groundTruth.people.map((p) => p.nhsNumber));
  });

  it('a larger population starts with the same people as a smaller one', () => {
    const small = generatePopulation({ patients: 10, seed: 5, now: NOW });
    const large = generatePopulation({ patients: 30, seed: 5, now: NOW });
    expect(JSON.stringify(large.people.slice(0, 10))).toBe(JSON.stringify(small.people));
  });

  it('streams the same people as it returns', () => {
    const streamed = [...generatePeople({ patients: 20, seed: 3, now: NOW })];
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(generatePopulation({ patients: 20, seed: 3, now: NOW }).people));
  });

  it('rejects options it cannot generate from', () => {
    expect(() => generatePopulation({ patients: -1, seed: 1, now: NOW })).toThrow(RangeError);
    expect(() => generatePopulation({ patients: 1.5, seed: 1, now: NOW })).toThrow(RangeError);
    expect(() => generatePopulation({ patients: 1, seed: Number.NaN, now: NOW })).toThrow(RangeError);
    expect(() => generatePopulation({ patients: 1, seed: 1, now: new Date('nope') })).toThrow(RangeError);
    expect(generatePopulation({ patients: 0, seed: 1, now: NOW }).people).toEqual([]);
  });
});

describe('generatePopulation: source systems and ground truth', () => {
  it('each person has a GP bundle first, and hospital and laboratory bundles when they had that care', () => {
    for (const p of population.people) {
      expect(p.bundles[0]!.source.kind).toBe('gp');
      expect(p.bundles.map((b) => b.source.kind)).toEqual(['gp', 'hospital', 'laboratory'].filter((k) => p.bundles.some((b) => b.source.kind === k)));
    }
    const sizes = population.people.map((p) => p.bundles.length);
    expect(sizes.filter((n) => n === 3).length).toBeGreaterThan(10);
    expect(sizes.filter((n) => n < 3).length).toBeGreaterThan(10);
  });

  it('each bundle holds exactly one Patient, first, and everything in it is about that Patient', () => {
    for (const { bundle } of personBundles) {
      const entries = bundle.entry!;
      expect(entries[0]!.resource!.resourceType).toBe('Patient');
      expect(resourcesOf(bundle, 'Patient').length).toBe(1);
      for (const r of entries.slice(1).map((e) => e.resource!)) {
        const about = (r['subject'] ?? r['patient']) as { reference: string } | undefined;
        expect(about?.reference, r.resourceType).toBe(entries[0]!.fullUrl);
      }
    }
  });

  it('NHS numbers are valid test-range numbers, one per person, and absent from some records', () => {
    const seen = new Set<string>();
    for (const person of population.people) {
      expect(isTestRangeNhsNumber(person.truth.nhsNumber)).toBe(true);
      expect(seen.has(person.truth.nhsNumber)).toBe(false);
      seen.add(person.truth.nhsNumber);
      for (const { bundle } of person.bundles) {
        const patient = resourcesOf(bundle, 'Patient')[0]!;
        expect(nhsNumberIssues(patient)).toEqual([]);
        for (const id of identifiers(patient).filter((i) => i.system === NHS_NUMBER_SYSTEM)) expect(id.value).toBe(person.truth.nhsNumber);
      }
    }
    const lab = population.groundTruth.people.flatMap((p) => p.records).filter((r) => r.kind === 'laboratory');
    expect(lab.filter((r) => !r.hasNhsNumber).length).toBeGreaterThan(0);
    expect(lab.filter((r) => r.hasNhsNumber).length).toBeGreaterThan(lab.length / 2);
  });

  it('the ground truth lists every source Patient record with its identifier, full URL and NHS number presence', () => {
    expect(population.groundTruth).toMatchObject({ generator: 'tessera-generate', version: 1, seed: 20250601, now: NOW.toISOString(), patients: 150 });
    for (const person of population.people) {
      const truth = population.groundTruth.people.find((p) => p.personId === person.personId)!;
      expect(truth.records.length).toBe(person.bundles.length);
      truth.records.forEach((record, i) => {
        const { source, bundle } = person.bundles[i]!;
        const patientEntry = bundle.entry![0]!;
        expect(record.source).toBe(source.uri);
        expect(record.fullUrl).toBe(patientEntry.fullUrl);
        expect(identifiers(patientEntry.resource!)[0]).toEqual(record.patient);
        expect(identifiers(patientEntry.resource!).some((id) => id.system === NHS_NUMBER_SYSTEM)).toBe(record.hasNhsNumber);
      });
    }
  });

  it('source records disagree like real ones: typos, old addresses, upper-case laboratory surnames', () => {
    const kinds = new Set(population.groundTruth.people.flatMap((p) => p.records.flatMap((r) => r.perturbations)));
    expect(kinds).toContain('family-name-upper-case');
    expect(kinds).toContain('nhs-number-missing');
    expect([...kinds].filter((k) => k.endsWith('typo') || k === 'given-names-swapped' || k === 'given-name-short-form').length).toBeGreaterThan(0);
    for (const person of population.people) {
      const truth = population.groundTruth.people.find((p) => p.personId === person.personId)!;
      const gpName = (resourcesOf(person.bundles[0]!.bundle, 'Patient')[0]!['name'] as { family: string }[])[0]!.family;
      truth.records.forEach((record, i) => {
        const name = (resourcesOf(person.bundles[i]!.bundle, 'Patient')[0]!['name'] as { family: string }[])[0]!.family;
        if (record.perturbations.length === 0 && truth.records[0]!.perturbations.length === 0) expect(name).toBe(gpName);
      });
    }
  });
});

describe('generatePopulation: clinical content', () => {
  const lab = personBundles.filter((b) => b.source.kind === 'laboratory');
  const hospital = personBundles.filter((b) => b.source.kind === 'hospital');
  const gp = personBundles.filter((b) => b.source.kind === 'gp');

  it('laboratory results are grouped in DiagnosticReports by panel, performed by the laboratory', () => {
    const panelCodes = new Set(Object.values(PANELS).map((p) => p.code));
    for (const { bundle } of lab) {
      const observations = new Map(bundle.entry!.filter((e) => e.resource!.resourceType === 'Observation').map((e) => [e.fullUrl!, e.resource!]));
      const reports = resourcesOf(bundle, 'DiagnosticReport');
      expect(reports.length).toBeGreaterThan(0);
      let inReports = 0;
      for (const report of reports) {
        const code = (report['code'] as { coding: { code: string }[] }).coding[0]!.code;
        expect(panelCodes.has(code)).toBe(true);
        expect((report['performer'] as { reference: string }[])[0]!.reference).toMatch(/^Organization\?identifier=https:\/\/fhir\.nhs\.uk\/Id\/ods-site-code\|/);
        for (const { reference } of report['result'] as { reference: string }[]) {
          expect(observations.has(reference)).toBe(true);
          inReports++;
        }
      }
      expect(inReports).toBe(observations.size);
    }
  });

  it('laboratory values have UCUM units and the laboratory\'s own reference range, which differ between laboratories', () => {
    const creatinineRanges = new Map<string, Set<string>>();
    for (const { source, bundle } of lab) {
      for (const o of resourcesOf(bundle, 'Observation')) {
        const q = o['valueQuantity'] as { system: string; code: string; unit: string };
        expect(q.system).toBe('http://unitsofmeasure.org');
        expect(q.code).not.toBe('');
        const range = (o['referenceRange'] as { text: string }[] | undefined)?.[0];
        expect(range?.text).toBeTruthy();
        if ((o['code'] as { coding: { code: string }[] }).coding[0]!.code === OBSERVATIONS.creatinine.code) {
          const set = creatinineRanges.get(source.key) ?? new Set<string>();
          set.add(range!.text);
          creatinineRanges.set(source.key, set);
        }
      }
    }
    const [a, b] = [...creatinineRanges.values()];
    expect(a && b).toBeTruthy();
    expect([...a!].some((t) => b!.has(t))).toBe(false);
  });

  it('hospital episodes are IMP or AMB encounters at an NHS trust, each with a letter', () => {
    const classes = new Set<string>();
    for (const { bundle } of hospital) {
      const encounters = resourcesOf(bundle, 'Encounter');
      for (const e of encounters) {
        classes.add((e['class'] as { code: string }).code);
        expect((e['serviceProvider'] as { reference: string }).reference).toMatch(/ods-organization-code\|R9/);
      }
      expect(resourcesOf(bundle, 'DocumentReference').length).toBe(encounters.length);
    }
    expect([...classes].sort()).toEqual(['AMB', 'IMP']);
  });

  it('GP consultations each have a note; blood pressure is a panel with systolic and diastolic components', () => {
    let bp = 0;
    for (const { bundle } of gp) {
      const encounters = resourcesOf(bundle, 'Encounter');
      const notes = resourcesOf(bundle, 'DocumentReference').filter((d) => (d['context'] as { encounter?: unknown }).encounter !== undefined);
      expect(notes.length).toBe(encounters.length);
      for (const o of resourcesOf(bundle, 'Observation')) {
        const code = (o['code'] as { coding: { code: string }[] }).coding[0]!.code;
        if (code !== '85354-9') continue;
        bp++;
        expect((o['component'] as { code: { coding: { code: string }[] } }[]).map((c) => c.code.coding[0]!.code)).toEqual(['8480-6', '8462-4']);
      }
    }
    expect(bp).toBeGreaterThan(0);
  });

  it('notes are readable plain text', () => {
    const entry: BundleEntry | undefined = gp.flatMap((b) => b.bundle.entry!).find((e) => e.resource!.resourceType === 'DocumentReference');
    const attachment = (entry!.resource!['content'] as { attachment: { data: string; contentType: string } }[])[0]!.attachment;
    expect(attachment.contentType).toBe('text/plain');
    expect(Buffer.from(attachment.data, 'base64').toString('utf8')).toMatch(/^[\x20-\x7e]+$/);
  });

  it('uses the code systems of the code lists: SNOMED CT, dm+d and LOINC', () => {
    const systems = new Set<string>();
    for (const { bundle } of personBundles) {
      JSON.stringify(bundle, (k, v: unknown) => {
        if (k === 'system' && typeof v === 'string') systems.add(v);
        return v;
      });
    }
    for (const s of ['http://snomed.info/sct', 'https://dmd.nhs.uk', 'http://loinc.org', 'http://unitsofmeasure.org']) expect(systems).toContain(s);
  });
});
