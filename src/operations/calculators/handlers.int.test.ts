/**
 * The calculator operations through the FHIR router, on both engines: from given inputs
 * (`[base]/$news2`) and from the record (`[base]/Patient/{id}/$news2`), including a real
 * Synthea patient. https://hl7.org/fhir/R4/operations.html
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculatorList, calculators } from '../../calculators/index.js';
import { importFile } from '../../cli/import-files.js';
import { generatePopulation } from '../../generate/index.js';
import type { Resource } from '../../fhir/types.js';
import { RESOURCE_TYPES } from '../../fhir/validation/index.js';
import { FhirRouter } from '../../http/fhir-router.js';
import { createStore } from '../../main.js';
import { parseSearch } from '../../search/parse-search.js';
import type { Database } from '../../store/database.js';
import type { FhirStore } from '../../store/fhir-store.js';
import { ENGINES, openTestDatabase } from '../../../test/support/test-store.js';
import { calculatorOperations } from './handlers.js';
import { inputToParameters, parametersToResult, type ParametersParameter } from './parameters.js';
import { SYSTEM_PRINCIPAL } from '../../../test/support/principals.js';
import { AccessResolver } from '../../store/caller-access.js';
import {
  bloodPressurePanel, codedObservation, condition, EXAMPLE_INPUTS, hoursBefore, quantityObservation,
} from './testing.js';

const BASE = 'http://tessera.test/fhir';
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const SYNTHEA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../demo/synthea');
const NEWS2_INPUTS = ['respiratoryRate', 'spo2', 'onOxygen', 'systolicBP', 'heartRate', 'consciousness', 'temperature'];

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** The `input` provenance parameters of a response, by input name. */
function provenanceOf(body: { parameter: ParametersParameter[] }): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of body.parameter.filter((x) => x.name === 'input')) {
    const parts = p.part!;
    const value = parts[0]!;
    const entry: Record<string, unknown> = { value: Object.entries(value).find(([k]) => k.startsWith('value'))![1], sources: [] };
    for (const part of parts.slice(1)) {
      const [, v] = Object.entries(part).find(([k]) => k.startsWith('value'))!;
      if (part.name === 'source') (entry.sources as string[]).push((v as { reference: string }).reference);
      else entry[part.name] = v;
    }
    out[value.name] = entry;
  }
  return out;
}

const expressions = (body: { issue: { expression?: string[] }[] }) => body.issue.flatMap((i) => i.expression ?? []);

describe.each(ENGINES)('calculator operations on %s', (engine) => {
  let db: Database;
  let store: FhirStore;
  let router: FhirRouter;
  let now = new Date('2024-05-01T12:00:00.000Z');

  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const [p = '', q = ''] = url.split('?', 2);
    const res = await router.handle({
      method, path: p, query: [...new URLSearchParams(q)] as [string, string][], baseUrl: BASE,
      headers: { ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers }, body, principal: SYSTEM_PRINCIPAL,
    });
    return { status: res.status, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
  };
  const add = async (r: Resource) => (await store.create(r)).version.id;
  const patient = (extra: Record<string, unknown>) => add({ resourceType: 'Patient', ...extra });
  const params = (...parameter: ParametersParameter[]) => ({ resourceType: 'Parameters', parameter });

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    store = createStore(db);
    router = new FhirRouter({ store, resourceTypes: RESOURCE_TYPES, operations: calculatorOperations({ store, now: () => now }), access: new AccessResolver(db) });
  });
  afterAll(async () => db.close());

  describe('system level: from the inputs given', () => {
    it.each(calculatorList.map((c) => [c.metadata.name, c] as const))('POST /$%s with Parameters returns the calculator\'s result as Parameters', async (name, calculator) => {
      const input = EXAMPLE_INPUTS[name]!;
      const res = await call('POST', `/$${name}`, inputToParameters(calculator.metadata, input));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
      expect(res.body.resourceType).toBe('Parameters');
      expect(parametersToResult(calculator.metadata, res.body)).toEqual(calculator.calculate(input));
    });

    it('GET /$bmi takes the inputs as query parameters', async () => {
      const res = await call('GET', '/$bmi?weightKg=70&heightM=1.75');
      expect(res.status).toBe(200);
      expect(parametersToResult(calculators.bmi.metadata, res.body)).toMatchObject({ bmi: 22.9, category: 'healthy-weight' });
    });

    it('an implausible input is 422 naming the input and the parameter it came in', async () => {
      const body = inputToParameters(calculators.news2.metadata, { ...EXAMPLE_INPUTS.news2, respiratoryRate: 0 });
      const res = await call('POST', '/$news2', body);
      expect(res.status).toBe(422);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(expressions(res.body)).toEqual(['respiratoryRate', 'Parameters.parameter[0]']);
    });

    it('a missing input is 400 naming it; a malformed Parameters is 400 naming the parameter', async () => {
      const missing = await call('POST', '/$egfr', params({ name: 'creatinine', valueDecimal: 80 }, { name: 'creatinineUnit', valueCode: 'umol/L' }));
      expect(missing.status).toBe(400);
      expect(expressions(missing.body)).toEqual(['age', 'sex']);
      const bad = await call('POST', '/$egfr', params({ name: 'creatinine', valueDecimal: 80 }, { name: 'age', valueString: '50' } as ParametersParameter));
      expect(bad.status).toBe(400);
      expect(expressions(bad.body)).toEqual(['Parameters.parameter[1].valueString']);
    });

    it('refuses store and maxAgeHours, which only make sense on a patient', async () => {
      const res = await call('POST', '/$bmi?store=true', params({ name: 'weightKg', valueDecimal: 70 }, { name: 'heightM', valueDecimal: 1.75 }));
      expect(res.status).toBe(400);
      expect(expressions(res.body)).toEqual(['store']);
    });

    it('POST without a body is 400; a non-JSON body is 415; PUT is 405; other resource types are 404', async () => {
      expect((await call('POST', '/$news2')).status).toBe(400);
      expect((await call('POST', '/$news2', 'respiratoryRate=18', { 'content-type': 'text/plain' })).status).toBe(415);
      expect((await call('PUT', '/$news2', params())).status).toBe(405);
      const other = await call('GET', '/Observation/x/$news2');
      expect(other.status).toBe(404);
      expect(other.body.issue[0].diagnostics).toMatch(/not defined on Observation/);
    });

    it('lists each operation in the CapabilityStatement with its OperationDefinition', async () => {
      const res = await call('GET', '/metadata');
      expect(res.body.rest[0].operation).toEqual(expect.arrayContaining(['news2', 'egfr', 'bmi', 'cha2ds2-vasc'].map((name) => ({
        name, definition: `https://tessera.example/fhir/OperationDefinition/calculator-${name}`,
      }))));
    });
  });

  describe('NEWS2 from the record', () => {
    let pid: string;
    const ids: Record<string, string> = {};
    const t0 = new Date('2024-05-01T12:00:00.000Z');

    beforeAll(async () => {
      now = t0;
      pid = await patient({ gender: 'female', birthDate: '1950-03-02' });
      const t2 = hoursBefore(t0, 2);
      // Older, worse readings that must not be used.
      await add(quantityObservation(pid, '9279-1', 30, '/min', hoursBefore(t0, 5)));
      await add(quantityObservation(pid, '8867-4', 140, '/min', hoursBefore(t0, 5)));
      ids.respiratoryRate = await add(quantityObservation(pid, '9279-1', 22, '/min', t2));
      ids.spo2 = await add(quantityObservation(pid, '59408-5', 95.4, '%', t2));
      ids.onOxygen = await add(quantityObservation(pid, '3151-8', 2, 'L/min', t2));
      ids.systolicBP = await add(bloodPressurePanel(pid, 104.6, 70, t2));
      ids.heartRate = await add(quantityObservation(pid, '8867-4', 95, '/min', t2));
      ids.consciousness = await add(codedObservation(pid, { system: LOINC, code: '67775-7' }, { system: LOINC, code: 'LA9340-6' }, t2));
      ids.temperature = await add(quantityObservation(pid, '8310-5', 100.4, '[degF]', t2));
      // Newer, but entered in error; and one recorded after "now": neither may be used.
      await add(quantityObservation(pid, '9279-1', 8, '/min', hoursBefore(t0, 1), { status: 'entered-in-error' }));
      await add(quantityObservation(pid, '8867-4', 35, '/min', hoursBefore(t0, -48)));
    });

    const expectedInput = { respiratoryRate: 22, spo2: 95, spo2Scale: 1, onOxygen: true, systolicBP: 105, heartRate: 95, consciousness: 'A', temperature: 38 };

    it('calculates from the latest usable readings, and says where each input came from and how old it is', async () => {
      now = t0;
      const res = await call('GET', `/Patient/${pid}/$news2`);
      expect(res.status).toBe(200);
      const result = parametersToResult(calculators.news2.metadata, res.body);
      expect(result).toEqual(calculators.news2.calculate(expectedInput));
      expect(result).toMatchObject({ score: 7, band: 'high' });
      const prov = provenanceOf(res.body);
      for (const name of NEWS2_INPUTS) {
        expect(prov[name], name).toMatchObject({
          value: expectedInput[name as keyof typeof expectedInput], origin: 'record', sources: [`Observation/${ids[name]}`],
          effective: hoursBefore(t0, 2), ageHours: 2, maxAgeHours: 24,
        });
      }
      expect(prov.systolicBP!.recorded).toBe('104.6 mm[Hg]'); // read from the BP panel's component
      expect(prov.temperature!.recorded).toBe('100.4 [degF]');
      expect(prov.spo2Scale).toMatchObject({ value: 1, origin: 'default', sources: [] });
    });

    it('store=true (POST) saves an Observation derivedFrom the inputs\' Observations and returns it', async () => {
      now = t0;
      const res = await call('POST', `/Patient/${pid}/$news2?store=true`);
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`${BASE}/Observation/${res.body.id}/_history/1`);
      expect(res.body).toMatchObject({
        resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${pid}` },
        code: { coding: [{ system: SNOMED, code: '1104051000000101' }] }, valueQuantity: { value: 7 },
        effectiveDateTime: hoursBefore(t0, 2), issued: t0.toISOString(),
      });
      expect(res.body.derivedFrom.map((r: { reference: string }) => r.reference).sort()).toEqual(NEWS2_INPUTS.map((n) => `Observation/${ids[n]}`).sort());
      const read = await call('GET', `/Observation/${res.body.id}`);
      expect(read.body).toEqual(res.body);
    });

    it('a store parameter in the body works too; GET with store=true is refused (GET must not change state)', async () => {
      now = t0;
      const viaBody = await call('POST', `/Patient/${pid}/$news2`, params({ name: 'store', valueBoolean: true }));
      expect(viaBody.status).toBe(201);
      const viaGet = await call('GET', `/Patient/${pid}/$news2?store=true`);
      expect(viaGet.status).toBe(405);
    });

    it('inputs given in the request win over the record, and are marked as given', async () => {
      now = t0;
      const res = await call('POST', `/Patient/${pid}/$news2`, params({ name: 'respiratoryRate', valueInteger: 16 }, { name: 'spo2Scale', valueInteger: 2 }));
      expect(res.status).toBe(200);
      expect(parametersToResult(calculators.news2.metadata, res.body)).toEqual(calculators.news2.calculate({ ...expectedInput, respiratoryRate: 16, spo2Scale: 2 }));
      expect(provenanceOf(res.body).respiratoryRate).toMatchObject({ value: 16, origin: 'request', sources: [] });
    });

    it('refuses inputs older than 24 hours, each naming the input', async () => {
      now = new Date(t0.getTime() + 23 * 3_600_000); // readings now 25 h old
      const res = await call('GET', `/Patient/${pid}/$news2`);
      expect(res.status).toBe(422);
      expect(expressions(res.body).sort()).toEqual([...NEWS2_INPUTS].sort());
      expect(res.body.issue.every((i: { code: string }) => i.code === 'business-rule')).toBe(true);
      expect(res.body.issue[0].diagnostics).toMatch(/is 25 hours old; the limit is 24 hours/);
    });

    it('maxAgeHours widens the limit (up to 72 h) and is refused beyond it', async () => {
      now = new Date(t0.getTime() + 23 * 3_600_000);
      const ok = await call('POST', `/Patient/${pid}/$news2`, params({ name: 'maxAgeHours', valueDecimal: 36 }));
      expect(ok.status).toBe(200);
      expect(provenanceOf(ok.body).heartRate).toMatchObject({ ageHours: 25, maxAgeHours: 36 });
      const tooWide = await call('POST', `/Patient/${pid}/$news2`, params({ name: 'maxAgeHours', valueDecimal: 100 }));
      expect(tooWide.status).toBe(400);
      expect(expressions(tooWide.body)).toEqual(['Parameters.parameter[0]']);
      const narrower = await call('GET', `/Patient/${pid}/$news2?maxAgeHours=1`);
      expect(narrower.status).toBe(422);
    });

    it('refuses missing inputs, all at once, each naming the input; given ones fill the gaps', async () => {
      now = t0;
      const empty = await patient({ gender: 'male', birthDate: '1980-01-01' });
      const res = await call('GET', `/Patient/${empty}/$news2`);
      expect(res.status).toBe(422);
      expect(expressions(res.body)).toEqual(NEWS2_INPUTS);
      expect(res.body.issue.every((i: { code: string }) => i.code === 'required')).toBe(true);
      const some = await call('GET', `/Patient/${empty}/$news2?onOxygen=false&consciousness=A`);
      expect(expressions(some.body)).toEqual(['respiratoryRate', 'spo2', 'systolicBP', 'heartRate', 'temperature']);
    });

    it('refuses a latest reading in a unit it cannot read, rather than fall back to an older one', async () => {
      now = t0;
      const p = await patient({ gender: 'male', birthDate: '1980-01-01' });
      await add(quantityObservation(p, '8867-4', 80, '/min', hoursBefore(t0, 3)));
      await add(quantityObservation(p, '8867-4', 1.5, '/s', hoursBefore(t0, 1)));
      const res = await call('GET', `/Patient/${p}/$news2`);
      expect(res.status).toBe(422);
      const issue = res.body.issue.find((i: { expression: string[] }) => i.expression[0] === 'heartRate');
      expect(issue.code).toBe('value');
      expect(issue.diagnostics).toMatch(/recorded in \/s/);
    });

    it('a recorded value the calculator refuses is 422 naming the input and the Observation it came from', async () => {
      now = t0;
      const p = await patient({ gender: 'male', birthDate: '1980-01-01' });
      const rr = await add(quantityObservation(p, '9279-1', 0, '/min', hoursBefore(t0, 1)));
      const res = await call('GET', `/Patient/${p}/$news2?spo2=97&onOxygen=false&systolicBP=120&heartRate=70&consciousness=A&temperature=37`);
      expect(res.status).toBe(422);
      expect(expressions(res.body)).toEqual(['respiratoryRate']);
      expect(res.body.issue[0].diagnostics).toContain(`respiratoryRate from Observation/${rr}`);
    });

    it('finds every input on a busy record whose readings overflow the first search, and reads O₂ flow from a pulse oximetry component', async () => {
      now = t0;
      const p = await patient({ gender: 'male', birthDate: '1960-01-01' });
      // 210 pulse readings in the last 7 hours push everything else off the first page.
      const entry = Array.from({ length: 210 }, (_, i) => ({
        resource: quantityObservation(p, '8867-4', 70 + (i % 5), '/min', hoursBefore(t0, 7 - i / 30)),
        request: { method: 'POST', url: 'Observation' },
      }));
      const bundle = await call('POST', '/', { resourceType: 'Bundle', type: 'transaction', entry });
      expect(bundle.status).toBe(200);
      const t20 = hoursBefore(t0, 20);
      const rr = await add(quantityObservation(p, '9279-1', 14, '/min', t20));
      const ox = await add(quantityObservation(p, '59408-5', 93, '%', t20, {
        component: [{ code: { coding: [{ system: LOINC, code: '3151-8' }] }, valueQuantity: { value: 0, unit: 'L/min', system: 'http://unitsofmeasure.org', code: 'L/min' } }],
      }));
      await add(bloodPressurePanel(p, 128, 80, t20));
      await add(codedObservation(p, { system: SNOMED, code: '1104441000000107' }, { system: SNOMED, code: '248234008' }, t20));
      await add(quantityObservation(p, '8331-1', 36.8, 'Cel', t20));
      const res = await call('GET', `/Patient/${p}/$news2`);
      expect(res.status).toBe(200);
      const prov = provenanceOf(res.body);
      expect(prov.respiratoryRate).toMatchObject({ value: 14, sources: [`Observation/${rr}`], ageHours: 20 });
      expect(prov.spo2).toMatchObject({ value: 93, sources: [`Observation/${ox}`] });
      expect(prov.onOxygen).toMatchObject({ value: false, sources: [`Observation/${ox}`], recorded: '0 L/min' });
      expect(prov.heartRate).toMatchObject({ value: 74, ageHours: 0 }); // the newest of the 210 (i = 209)
      expect(prov.consciousness).toMatchObject({ value: 'A' });
    });

    it('refuses under-16s (NEWS2 is not validated for them), deceased patients, and unknown patients (404)', async () => {
      now = t0;
      const child = await patient({ gender: 'female', birthDate: '2015-01-01' });
      const c = await call('GET', `/Patient/${child}/$news2`);
      expect(c.status).toBe(422);
      expect(expressions(c.body)).toEqual(['Patient.birthDate']);
      const dead = await patient({ gender: 'male', birthDate: '1930-01-01', deceasedBoolean: true });
      expect((await call('GET', `/Patient/${dead}/$news2`)).status).toBe(422);
      const unknown = await call('GET', '/Patient/no-such-patient/$news2');
      expect(unknown.status).toBe(404);
      expect(unknown.body.resourceType).toBe('OperationOutcome');
      expect((await call('GET', '/Patient/$news2')).status).toBe(400);
    });
  });

  describe('eGFR from the record', () => {
    const t0 = new Date('2024-05-01T12:00:00.000Z');

    it('uses the latest creatinine in the unit it was recorded in, age at the sample, and sex', async () => {
      now = t0;
      const p = await patient({ gender: 'female', birthDate: '1974-01-01' });
      const cr = await add(quantityObservation(p, '14682-9', 80, 'umol/L', hoursBefore(t0, 240)));
      const res = await call('GET', `/Patient/${p}/$egfr`);
      expect(res.status).toBe(200);
      const expected = calculators.egfr.calculate({ creatinine: 80, creatinineUnit: 'umol/L', age: 50, sex: 'female' });
      expect(parametersToResult(calculators.egfr.metadata, res.body)).toEqual(expected);
      expect(expected.egfr).toBe(74); // nhs-domain.md §6.2: 80 µmol/L, 50, female → 74.06 (2009)
      const prov = provenanceOf(res.body);
      expect(prov.creatinine).toMatchObject({ value: 80, sources: [`Observation/${cr}`], ageHours: 240, maxAgeHours: 2160 });
      expect(prov.creatinineUnit).toMatchObject({ value: 'umol/L', sources: [`Observation/${cr}`] });
      expect(prov.age).toMatchObject({ value: 50, sources: [`Patient/${p}`] });
      expect(prov.equation).toMatchObject({ value: 'ckd-epi-2009', origin: 'default' });
      // A unit given for a recorded value in another unit would mis-scale it by 88.4: refused.
      const mixed = await call('GET', `/Patient/${p}/$egfr?creatinineUnit=mg/dL`);
      expect(mixed.status).toBe(422);
      expect(expressions(mixed.body)).toEqual(['creatinineUnit']);
    });

    it('refuses a creatinine older than 90 days, and a patient whose gender is not male or female unless sex is given', async () => {
      now = t0;
      const p = await patient({ gender: 'unknown', birthDate: '1974-01-01' });
      await add(quantityObservation(p, '2160-0', 0.9, 'mg/dL', hoursBefore(t0, 91 * 24)));
      const res = await call('GET', `/Patient/${p}/$egfr`);
      expect(res.status).toBe(422);
      expect(expressions(res.body)).toEqual(['creatinine', 'sex']);
      expect(res.body.issue[0].diagnostics).toMatch(/limit is 2160 hours/);
      const given = await call('POST', `/Patient/${p}/$egfr`, params({ name: 'creatinine', valueQuantity: { value: 0.9, code: 'mg/dL' } }, { name: 'sex', valueCode: 'female' }));
      expect(given.status).toBe(200);
    });
  });

  describe('BMI from the record', () => {
    const t0 = new Date('2024-05-01T12:00:00.000Z');

    it('converts pounds and centimetres, and stores an Observation (LOINC 39156-5) derivedFrom weight and height', async () => {
      now = t0;
      const p = await patient({ gender: 'male', birthDate: '1950-03-02' });
      const w = await add(quantityObservation(p, '29463-7', 154, '[lb_av]', hoursBefore(t0, 24 * 30)));
      const h = await add(quantityObservation(p, '8302-2', 175, 'cm', hoursBefore(t0, 24 * 400)));
      const res = await call('POST', `/Patient/${p}/$bmi?store=true`);
      expect(res.status).toBe(201);
      expect(res.body.code.coding[0]).toMatchObject({ system: LOINC, code: '39156-5' });
      expect(res.body.valueQuantity).toMatchObject({ value: calculators.bmi.calculate({ weightKg: 69.8532, heightM: 1.75, age: 74 }).bmi, code: 'kg/m2' });
      expect(res.body.derivedFrom.map((r: { reference: string }) => r.reference).sort()).toEqual([`Observation/${w}`, `Observation/${h}`].sort());
      expect(res.body.effectivePeriod).toEqual({ start: hoursBefore(t0, 24 * 400), end: hoursBefore(t0, 24 * 30) });
    });

    it('refuses a weight older than 2 years', async () => {
      now = t0;
      const p = await patient({ gender: 'male', birthDate: '1950-03-02' });
      await add(quantityObservation(p, '29463-7', 70, 'kg', hoursBefore(t0, 24 * 800)));
      await add(quantityObservation(p, '8302-2', 1.75, 'm', hoursBefore(t0, 24)));
      const res = await call('GET', `/Patient/${p}/$bmi`);
      expect(res.status).toBe(422);
      expect(expressions(res.body)).toEqual(['weightKg']);
    });
  });

  describe('CHA₂DS₂-VASc from the record', () => {
    const t0 = new Date('2024-05-01T12:00:00.000Z');

    it('counts active and historical Conditions as the score defines them, and not refuted, provisional or resolved ongoing ones', async () => {
      now = t0;
      const p = await patient({ gender: 'female', birthDate: '1954-01-01' });
      const htn = await add(condition(p, '38341003', 'active'));
      const dm = await add(condition(p, '44054006', 'resolved'));
      const stroke = await add(condition(p, '230690007', 'resolved'));
      await add(condition(p, '84114007', 'active', 'refuted'));
      const mi = await add(condition(p, '22298006', 'active', 'provisional'));
      const res = await call('GET', `/Patient/${p}/$cha2ds2-vasc`);
      expect(res.status).toBe(200);
      const expected = calculators['cha2ds2-vasc'].calculate({
        congestiveHeartFailure: false, hypertension: true, age: 70, diabetes: false, strokeTiaThromboembolism: true, vascularDisease: false, sex: 'female',
      });
      expect(parametersToResult(calculators['cha2ds2-vasc'].metadata, res.body)).toEqual(expected);
      expect(expected.score).toBe(5);
      const prov = provenanceOf(res.body);
      expect(prov.hypertension).toMatchObject({ value: true, sources: [`Condition/${htn}`] });
      expect(prov.strokeTiaThromboembolism).toMatchObject({ value: true, sources: [`Condition/${stroke}`] });
      expect(prov.diabetes!.recorded).toContain(`not counted: Condition/${dm} (resolved)`);
      expect(prov.vascularDisease!.recorded).toContain(`not counted: Condition/${mi} (provisional)`);
      expect(prov.congestiveHeartFailure).toMatchObject({ value: false, sources: [] });

      const stored = await call('POST', `/Patient/${p}/$cha2ds2-vasc?store=true`);
      expect(stored.status).toBe(201);
      expect(stored.body.derivedFrom).toBeUndefined();
      expect(stored.body.extension.map((e: { valueReference: { reference: string } }) => e.valueReference.reference).sort())
        .toEqual([`Condition/${htn}`, `Condition/${stroke}`, `Patient/${p}`].sort());
    });
  });

  describe('a real Synthea patient (Morris Lockman, Synthea 2.4.0 demo data)', () => {
    let pid: string;
    const t0 = new Date('2021-01-01T00:00:00.000Z'); // a week after his last encounter (2020-12-25)

    beforeAll(async () => {
      const res = await importFile(store, path.join(SYNTHEA, 'Morris_Lockman_cd9e9826-aea1-4682-adc0-c1d97633bf31.json.gz'), BASE);
      expect(res.error).toBeUndefined();
      const page = await store.search(parseSearch(store.registry, 'Patient', [['family', 'Lockman'], ['given', 'Morris']]));
      expect(page.matches.length).toBe(1);
      pid = page.matches[0]!.id;
    }, 120_000);

    it('BMI from Synthea\'s weight (29463-7, kg) and height (8302-2, cm)', async () => {
      now = t0;
      const res = await call('GET', `/Patient/${pid}/$bmi`);
      expect(res.status).toBe(200);
      const prov = provenanceOf(res.body);
      expect(prov.weightKg).toMatchObject({ value: 93.84996599785732, origin: 'record', effective: '2020-12-25T01:17:52+00:00' });
      expect(prov.heightM).toMatchObject({ value: 1.8202, recorded: '182.02419982137644 cm' });
      expect(prov.age).toMatchObject({ value: 50 });
      expect(parametersToResult(calculators.bmi.metadata, res.body)).toMatchObject({ bmi: 28.3, category: 'overweight' });
    });

    it('eGFR from Synthea\'s creatinine (38483-4, mg/dL)', async () => {
      now = t0;
      const res = await call('GET', `/Patient/${pid}/$egfr`);
      expect(res.status).toBe(200);
      const expected = calculators.egfr.calculate({ creatinine: 1.1856856383098302, creatinineUnit: 'mg/dL', age: 50, sex: 'male' });
      expect(parametersToResult(calculators.egfr.metadata, res.body)).toEqual(expected);
      expect(expected).toMatchObject({ egfr: 71, category: 'G2' });
    });

    it('CHA₂DS₂-VASc from Synthea\'s Conditions (hypertension 38341003, type 2 diabetes 44054006)', async () => {
      now = t0;
      const res = await call('GET', `/Patient/${pid}/$cha2ds2-vasc`);
      expect(res.status).toBe(200);
      expect(parametersToResult(calculators['cha2ds2-vasc'].metadata, res.body)).toMatchObject({ score: 2, recommendation: 'offer' });
      const prov = provenanceOf(res.body);
      expect(prov.hypertension!.value).toBe(true);
      expect((prov.diabetes!.sources as string[]).length).toBe(2); // 44054006 and neuropathy due to type 2 DM
    });

    it('NEWS2 is refused: Synthea records no respiratory rate, SpO₂, pulse or ACVPU, and its BP and temperature are too old', async () => {
      now = t0;
      const res = await call('GET', `/Patient/${pid}/$news2`);
      expect(res.status).toBe(422);
      const byInput = Object.fromEntries(res.body.issue.map((i: { expression: string[]; code: string }) => [i.expression[0], i.code]));
      expect(byInput).toEqual({
        respiratoryRate: 'required', spo2: 'required', onOxygen: 'required', heartRate: 'required', consciousness: 'required',
        systolicBP: 'business-rule', temperature: 'business-rule',
      });
    });

    it('store=true saves the BMI as an Observation derivedFrom Synthea\'s weight and height', async () => {
      now = t0;
      const res = await call('POST', `/Patient/${pid}/$bmi`, params({ name: 'store', valueBoolean: true }));
      expect(res.status).toBe(201);
      expect(res.body.derivedFrom).toHaveLength(2);
      expect(res.body.effectiveDateTime).toBe('2020-12-25T01:17:52+00:00');
    });
  });

  describe('the generated UK population (`tessera generate`), every record of every person', () => {
    const t0 = new Date('2026-06-01T09:00:00.000Z');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-calc-generated-'));
    const ids: string[] = [];

    beforeAll(async () => {
      const pop = generatePopulation({ patients: 10, seed: 29, now: t0, requests: 'id' });
      const files = [pop.shared, ...pop.people.flatMap((person) => person.bundles.map((b) => b.bundle))].map((bundle, i) => {
        const f = path.join(tmp, `${String(i).padStart(3, '0')}.json.gz`);
        writeFileSync(f, gzipSync(JSON.stringify(bundle)));
        return f;
      });
      for (const f of files) expect((await importFile(store, f, BASE)).error).toBeUndefined();
      const page = await store.search(parseSearch(store.registry, 'Patient', [['_count', '1000']]));
      // Each person's records in the GP system, hospital and laboratory, each with its own id.
      ids.push(...page.matches.map((m) => m.id).filter((id) => id.includes('-patient-')));
      expect(ids.length).toBeGreaterThanOrEqual(10);
    }, 120_000);
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    // From the record a calculation either computes exactly what the calculator computes from the
    // values it says it used, each read from an Observation or Condition of this patient or the
    // Patient itself, or refuses, naming every input it could not use. Never a 500, never NaN.
    it.each(['egfr', 'bmi', 'cha2ds2-vasc', 'news2'] as const)('$%s', async (name) => {
      const calculator = calculators[name];
      const inputs = calculator.metadata.inputs.map((i) => i.name);
      let computed = 0;
      for (const pid of ids) {
        // As of half a day after the record's latest Observation: what a clinician would have
        // seen then (results are months apart, and older ones are refused as too old).
        const latest = (await call('GET', `/Patient/${pid}/Observation?_sort=-date&_count=1`)).body.entry?.[0]?.resource;
        const at = latest?.effectiveDateTime ?? latest?.effectivePeriod?.start;
        now = at ? new Date(Date.parse(at) + 12 * 3600_000) : t0;
        const res = await call('GET', `/Patient/${pid}/$${name}`);
        if (res.status === 422) {
          for (const issue of res.body.issue) {
            // An input the record could not give, or the patient the calculator is not for.
            const [expression] = issue.expression as string[];
            expect(inputs.includes(expression!) || expression!.startsWith('Patient.'), JSON.stringify(issue)).toBe(true);
            expect(['required', 'business-rule', 'value', 'invalid'], JSON.stringify(issue)).toContain(issue.code);
          }
          continue;
        }
        expect(res.status, `${pid}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(JSON.stringify(res.body)).not.toMatch(/NaN|Infinity/);
        const prov = provenanceOf(res.body);
        const used = Object.fromEntries(Object.entries(prov).map(([k, v]) => [k, v.value]));
        expect(parametersToResult(calculator.metadata, res.body), pid).toEqual(calculator.calculate(used));
        for (const ref of Object.values(prov).flatMap((v) => v.sources as string[])) {
          const [type, id] = ref.split('/') as [string, string];
          const source = JSON.parse((await store.read(type, id)).json) as Resource & { subject?: { reference?: string } };
          expect(type === 'Patient' ? `Patient/${source.id}` : source.subject?.reference, ref).toBe(`Patient/${pid}`);
        }
        computed++;
      }
      // The stories give some records each calculator's inputs — but not NEWS2's bedside set
      // (respiratory rate, SpO₂, ACVPU): its records are all refusals, checked above.
      if (name !== 'news2') expect(computed, name).toBeGreaterThan(0);
    });
  });
});
